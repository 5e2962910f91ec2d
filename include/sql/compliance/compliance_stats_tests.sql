-- The month's tests: counts, mean and standard deviation, download percentiles, mean upload, the
-- tests at or above the threshold, and the medians of upload and latency. Parameters: threshold.
-- Per (operator_code, network_type, area_code); area_code is NULL on the province's row: GROUPING
-- SETS computes both levels in one pass (area_code is never NULL in the facts), from one sort of
-- the month by its keys (the percentiles then sort each group's values).
-- Run by plugins/ispeed/compliance/runner.py on a connection of its own, beside
-- compliance_stats_devices.sql and compliance_stats_device_days.sql, after compliance_month_tests.sql;
-- the rows go to month_statistics.
-- Means and standard deviations in double precision (numeric cost a quarter of the month's time);
-- parallel plans are off, so rows are added in the same order every time.
select operator_code, network_type, area_code,
       count(*)                                          as tests,
       count(*) filter (where device_id is null)         as tests_without_device,
       avg(download_mbps)::numeric                       as mean_x,
       stddev_samp(download_mbps)::numeric               as sd_x,
       percentile_cont(array[0.1, 0.5, 0.9]) within group (order by download_mbps) as pct,
       avg(upload_mbps)::numeric                         as mean_upload_x,
       count(*) filter (where download_mbps >= %(threshold)s)   as at_or_above,
       percentile_cont(0.5) within group (order by upload_mbps) as median_upload_x,
       percentile_cont(0.5) within group (order by latency_ms)  as median_latency_x
from month_tests
group by grouping sets ((operator_code, network_type), (operator_code, network_type, area_code));
