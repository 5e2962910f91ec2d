-- The month's facts built in a new table when the month has none yet (its first load, or a reload,
-- which replaces the month): no index to maintain row by row and no conflict to check. The loader
-- then builds the primary key in one pass, and replace_month_partition.sql swaps the table in.
-- An id seen twice in the load is a duplicate: DISTINCT ON keeps one occurrence, by {file_order}
-- then line: the first file (file_id), as the ON CONFLICT of insert_measurement_facts.sql does when
-- the month already has facts, or on a reload the newest file (file_id desc: the newest file wins,
-- docs/corrections.md). Ids compare byte by byte ("C"): only equality matters here. Returns the
-- rows kept per file, for the file registry; record_collapsed_ids.sql then records the others.
create table {built} (like ispeed.fact_measurement including defaults, check (month = %(month)s));

with inserted as (
  insert into {built}
    (month, measurement_id, measured_at, operator_code, network_type_code, area_code,
     download_mbps, upload_mbps, latency_ms, jitter_ms, latitude, longitude, device_id, platform,
     file_id, source_line, load_id)
  select distinct on (measurement_id collate "C")
         month, measurement_id, measured_at, operator_code, network_type_code, area_code,
         download_mbps, upload_mbps, latency_ms, jitter_ms, latitude, longitude, device_id, platform,
         file_id, line_no, load_id
  from {checked}
  where cardinality(failed_rules) = 0
  order by measurement_id collate "C", {file_order}, line_no
  returning file_id
)
select file_id, count(*) from inserted group by file_id;
