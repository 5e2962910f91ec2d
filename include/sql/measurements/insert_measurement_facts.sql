-- Rows that break no rule become facts. An id seen twice in the load, or already in the month's
-- facts from an earlier file, is a duplicate: the first occurrence (by file, then line) stays.
-- Rows go in in (file, line) order and ON CONFLICT DO NOTHING skips a key already inserted, by an
-- earlier load or earlier in this statement: that keeps the first occurrence without sorting the
-- month by its text ids. Returns the rows inserted per file, for the file registry.
with inserted as (
  insert into ispeed.fact_measurement
    (month, measurement_id, measured_at, operator_code, network_type_code, area_code,
     download_mbps, upload_mbps, latency_ms, jitter_ms, latitude, longitude, device_id, platform,
     file_id, source_line, load_id)
  select month, measurement_id, measured_at, operator_code, network_type_code, area_code,
         download_mbps, upload_mbps, latency_ms, jitter_ms, latitude, longitude, device_id, platform,
         file_id, line_no, load_id
  from {checked}
  where cardinality(failed_rules) = 0
  order by file_id, line_no
  on conflict (month, measurement_id) do nothing
  returning file_id
)
select file_id, count(*) from inserted group by file_id;
