-- The month's facts built in a new table when the month has none yet (its first load, or a reload,
-- which replaces the month): no index to maintain row by row and no conflict to check. The loader
-- then builds the primary key in one pass, and replace_month_partition.sql swaps the table in.
-- An id seen twice in the load is a duplicate: of its rows only the one in {kept}
-- (collect_kept_duplicates.sql: the first file, or on a reload the newest, then the first line)
-- goes in, as the ON CONFLICT of insert_measurement_facts.sql keeps the first when the month
-- already has facts. The rows go in in the order of the checked table, unsorted: the primary key
-- sorts the month once. Returns the rows kept per file, for the file registry, counted in the new
-- table afterwards (a scan of it costs less than RETURNING each row through a CTE, which keeps them
-- all: 1.0-1.1 s against 1.4-1.9 s for the insert at 1M); record_collapsed_ids.sql then records
-- the others.
create table {built} (like ispeed.fact_measurement including defaults, check (month = %(month)s));

insert into {built}
  (month, measurement_id, measured_at, operator_code, network_type_code, area_code,
   download_mbps, upload_mbps, latency_ms, jitter_ms, latitude, longitude, device_id, platform,
   file_id, source_line, load_id)
select c.month, c.measurement_id, c.measured_at, c.operator_code, c.network_type_code, c.area_code,
       c.download_mbps, c.upload_mbps, c.latency_ms, c.jitter_ms, c.latitude, c.longitude, c.device_id,
       c.platform, c.file_id, c.line_no, c.load_id
from {checked} c
where cardinality(c.failed_rules) = 0
  and not exists (select from {kept} k
                  where k.measurement_id = c.measurement_id
                    and (k.file_id <> c.file_id or k.source_line <> c.line_no));

select file_id, count(*) from {built} group by file_id;
