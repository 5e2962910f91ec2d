-- Rows that break no rule become facts. An id seen twice in the load, or already in the month's
-- facts from an earlier file, is a duplicate: the first occurrence (by file, then line) stays.
-- Returns the rows inserted per file, for the file registry.
with passing as (
  select c.*, row_number() over (partition by c.measurement_id order by c.file_id, c.line_no) as occurrence
  from {checked} c
  where cardinality(c.failed_rules) = 0
), inserted as (
  insert into ispeed.fact_measurement
    (month, measurement_id, measured_at, operator_code, network_type_code, area_code,
     download_mbps, upload_mbps, latency_ms, jitter_ms, latitude, longitude, device_id, platform,
     file_id, source_line, load_id)
  select month, measurement_id, measured_at, operator_code, network_type_code, area_code,
         download_mbps, upload_mbps, latency_ms, jitter_ms, latitude, longitude, device_id, platform,
         file_id, line_no, load_id
  from passing
  where occurrence = 1
  on conflict (month, measurement_id) do nothing
  returning file_id
)
select file_id, count(*) from inserted group by file_id;
