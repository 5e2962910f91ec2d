-- The month's tests as the statistics see them: the temporary view month_tests, one row per test
-- and population it belongs to (compliance_month_scope.sql, same session). Run by
-- plugins/ispeed/compliance/runner.py on each connection that computes a part of the statistics
-- (compliance_stats_*.sql), all in one snapshot of the facts. Parameters: month.
-- Every read of the facts filters on month, the partition key, so only the month's partition is read.
-- device_id is NULL for a test without a device id: grouped by device_id, the tests without one of a
-- group are one device together (docs/method.md, "Devices").
create temp view month_tests as
-- Text keys compared byte by byte ("C"): grouping needs equality only, and sorting the month by
-- the language's collation cost more than all the arithmetic.
select f.operator_code collate "C" as operator_code, s.network_type collate "C" as network_type,
       f.area_code collate "C" as area_code, f.device_id collate "C" as device_id,
       (f.measured_at at time zone 'Asia/Ho_Chi_Minh')::date as local_day,
       f.download_mbps, f.upload_mbps, f.latency_ms
from ispeed.fact_measurement f
join month_membership s on s.network_type_code = f.network_type_code
where f.month = %(month)s;
