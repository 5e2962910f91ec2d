-- A staging partition for one load, which receives its rows by COPY. Like every staging table of
-- a load, it is not autovacuumed: it lives for one load, is read whole, and is dropped (at 10M rows
-- autovacuum scanned 1.5 GB of it beside the check and the load, and the load's drop waited for it
-- to be cancelled: docs/performance.md).
create unlogged table {partition} partition of ispeed.stg_measurement for values in ({load_id})
  with (autovacuum_enabled = false, toast.autovacuum_enabled = false);
