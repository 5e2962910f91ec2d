-- The month's device-days, which are VNNIC's representative samples (docs/method.md): the tests of
-- one device in one unit on one local day count once, with the mean of their downloads. The tests
-- without a device id are one device (device_id NULL groups together). A device testing in two
-- units on one day is a sample in each, at both levels, as VNNIC counts it.
-- Per (operator_code, network_type, area_code); area_code is NULL on the province's row: GROUPING
-- SETS computes both levels from one pass over the samples.
--   device_days     the number of samples;
--   ddm_x           their mean (the device-day mean), exact (numeric) over each sample's double mean;
--   vnnic_median_x  their median (percentile_cont), VNNIC's published figure.
-- Run by plugins/ispeed/compliance/runner.py on a connection of its own, beside the other
-- compliance_stats_*.sql files, after compliance_month_tests.sql; the rows go to month_statistics.
with samples as (
  select operator_code, network_type, area_code, avg(download_mbps) as sample_mean
  from month_tests
  group by operator_code, network_type, area_code, device_id, local_day
)
select operator_code, network_type, area_code,
       count(*)                                                    as device_days,
       avg(sample_mean::numeric)                                   as ddm_x,
       percentile_cont(0.5) within group (order by sample_mean)    as vnnic_median_x
from samples
group by grouping sets ((operator_code, network_type), (operator_code, network_type, area_code));
