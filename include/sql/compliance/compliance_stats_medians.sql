-- The month's median upload and median latency.
-- Per (operator_code, network_type, area_code); area_code is NULL on the province's row: GROUPING
-- SETS computes both levels in one pass (area_code is never NULL in the facts).
-- Run by plugins/ispeed/compliance/runner.py on a connection of its own, beside the other
-- compliance_stats_*.sql files, after compliance_month_tests.sql; the rows go to month_statistics.
select operator_code, network_type, area_code,
       percentile_cont(0.5) within group (order by upload_mbps) as median_upload_x,
       percentile_cont(0.5) within group (order by latency_ms)  as median_latency_x
from month_tests
group by grouping sets ((operator_code, network_type), (operator_code, network_type, area_code));
