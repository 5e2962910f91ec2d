-- The load's checked rows' table, empty, with the columns of check_staged_measurements.sql (the query):
-- insert_checked_rows.sql fills it, a part of the staging partition at a time.
-- Not autovacuumed, as every staging table of a load (create_staging_partition.sql).
create unlogged table {checked} with (autovacuum_enabled = false, toast.autovacuum_enabled = false)
  as {query} with no data;
