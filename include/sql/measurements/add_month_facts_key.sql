-- The primary key of the table built by build_month_facts.sql, built once over the whole month
-- (the partition's index once replace_month_partition.sql has swapped the table in).
alter table {built} add primary key (month, measurement_id);
