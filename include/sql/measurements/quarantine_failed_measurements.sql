-- Rows that break a rule go to quarantine, with the first rule they break, all the rules they
-- break, the column to look at and the row exactly as read.
insert into ispeed.fact_quarantine
  (dataset, month, file_id, line_no, column_name, rule, failed_rules, message, raw_row, load_id)
select 'measurements', %(month)s, c.file_id, c.line_no, rule_info.column_name, c.failed_rules[1],
       c.failed_rules,
       case when c.failed_rules[1] = 'row_well_formed' and c.parse_error is not null
            then rule_info.message || ': ' || c.parse_error else rule_info.message end,
       jsonb_strip_nulls(jsonb_build_object(
         'measurement_id', s.measurement_id, 'measured_at', s.measured_at, 'operator', s.operator,
         'network_type', s.network_type, 'download_mbps', s.download_mbps, 'upload_mbps', s.upload_mbps,
         'latency_ms', s.latency_ms, 'jitter_ms', s.jitter_ms, 'province', s.province, 'district', s.district,
         'latitude', s.latitude, 'longitude', s.longitude, 'device_id', s.device_id, 'platform', s.platform,
         'parse_error', s.parse_error)),
       c.load_id
from {checked} c
join {partition} s on s.file_id = c.file_id and s.line_no = c.line_no
join {rules_table} on rule_info.rule = c.failed_rules[1]
where cardinality(c.failed_rules) > 0;
