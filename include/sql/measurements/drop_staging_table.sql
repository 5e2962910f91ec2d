-- One staging table of a load (create_staging_partition.sql, collect_staged_spellings.sql,
-- check_staged_measurements.sql), once the load is over.
drop table if exists {table};
