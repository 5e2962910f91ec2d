-- The table built by build_month_facts.sql becomes the month's partition of the facts: its primary
-- key is built in one pass, the month's former partition (empty, or the month being reloaded) is
-- dropped, and the new one is attached. Its CHECK (month = ...) spares the attach a scan. All in
-- the load's transaction: readers see the old month or the new one, never a mix.
alter table {built} add primary key (month, measurement_id);
drop table if exists {partition};
alter table {built} rename to {partition_name};
alter table ispeed.fact_measurement attach partition {partition} for values in (%(month)s);
