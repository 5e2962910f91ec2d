-- The rows of one load that broke no rule but were not loaded, because their measurement_id was
-- kept from another row (of this load, or of an earlier load of the month): each with the row kept
-- instead and the columns whose values differ (none: an exact duplicate; some: a conflict). {facts}
-- holds the rows kept: when the load built the month anew, the load's rows kept for its repeated ids
-- (collect_kept_duplicates.sql, a few rows); otherwise the month's partition after this load.
-- Run only when the load has duplicates. Returns, per file, the rows collapsed and
-- those with other values.
with collapsed as (
  insert into ispeed.fact_measurement_collapsed
    (month, measurement_id, file_id, line_no, kept_file_id, kept_line, differs, settled_by, load_id)
  select %(month)s, c.measurement_id, c.file_id, c.line_no, f.file_id, f.source_line,
         array_remove(array[
           case when c.measured_at is distinct from f.measured_at then 'measured_at' end,
           case when c.operator_code is distinct from f.operator_code then 'operator' end,
           case when c.network_type_code is distinct from f.network_type_code then 'network_type' end,
           case when c.area_code is distinct from f.area_code then 'district' end,
           case when c.download_mbps is distinct from f.download_mbps then 'download_mbps' end,
           case when c.upload_mbps is distinct from f.upload_mbps then 'upload_mbps' end,
           case when c.latency_ms is distinct from f.latency_ms then 'latency_ms' end,
           case when c.jitter_ms is distinct from f.jitter_ms then 'jitter_ms' end,
           case when c.latitude is distinct from f.latitude then 'latitude' end,
           case when c.longitude is distinct from f.longitude then 'longitude' end,
           case when c.device_id is distinct from f.device_id then 'device_id' end,
           case when c.platform is distinct from f.platform then 'platform' end
         ]::text[], null),
         %(settled_by)s, c.load_id
  from {checked} c
  -- the checked ids and the facts' are both "C" (check_staged_measurements.sql, V014): the key's order
  join {facts} f on f.month = %(month)s and f.measurement_id = c.measurement_id
  where cardinality(c.failed_rules) = 0
    and (f.file_id <> c.file_id or f.source_line <> c.line_no)
  returning file_id, cardinality(differs) > 0 as conflict
)
select file_id, count(*) as collapsed, count(*) filter (where conflict) as conflicting
from collapsed
group by file_id;
