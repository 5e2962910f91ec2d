-- The ids that more than one row of the load carries (rows that broke no rule), each with the row
-- kept for it: the first by {file_order} then line, as build_month_facts.sql keeps it (the first
-- file, or on a reload the newest: docs/corrections.md). Columns as in the facts, so that
-- record_collapsed_ids.sql can compare the other rows of the id with the row kept. A load has few
-- repeated ids: the month is grouped by id once (byte by byte, "C": only equality matters), and
-- only the repeated ids' rows are sorted, instead of the whole month by id.
-- Analysed below; not autovacuumed, as every staging table of a load (create_staging_partition.sql).
create unlogged table {kept} with (autovacuum_enabled = false, toast.autovacuum_enabled = false) as
select distinct on (c.measurement_id collate "C")
       c.month, c.measurement_id, c.measured_at, c.operator_code, c.network_type_code, c.area_code,
       c.download_mbps, c.upload_mbps, c.latency_ms, c.jitter_ms, c.latitude, c.longitude, c.device_id,
       c.platform, c.file_id, c.line_no as source_line, c.load_id
from {checked} c
where cardinality(c.failed_rules) = 0
  and c.measurement_id collate "C" in (select r.measurement_id collate "C" from {checked} r
                                       where cardinality(r.failed_rules) = 0
                                       group by r.measurement_id collate "C" having count(*) > 1)
order by c.measurement_id collate "C", {file_order}, c.line_no;
analyze {kept};
