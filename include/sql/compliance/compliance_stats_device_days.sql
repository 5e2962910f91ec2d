-- The month's device-days (docs/method.md §4), VNNIC's representative samples, from one pass over
-- the tests: the tests of one device in one unit on one local day count once, with the mean of
-- their downloads; a device testing in two units on one day is a sample in each, at both levels,
-- as VNNIC counts it. The tests without a device id are one device (device_id NULL groups
-- together). Per (operator_code, network_type, area_code); area_code is NULL on the province's
-- row. Parameters: threshold.
--   device_days          the number of samples;
--   ddm_x                their mean (the device-day mean);
--   vnnic_median_x       their median (percentile_cont), VNNIC's published figure.
-- The samples are hashed, not sorted (sorting the month by five keys cost more than the rest); each
-- group's samples' means are gathered in an array, and a median sorts one group's values alone.
-- A sample's mean is s / n + threshold (s: its downloads less the threshold, added).
-- Run by plugins/ispeed/compliance/runner.py on a connection of its own, beside the other
-- compliance_stats_*.sql files, after compliance_month_tests.sql; the rows go to month_statistics.
with samples as (
  select operator_code, network_type, area_code, device_id,
         count(*)::float8 as n, sum(download_mbps - %(threshold)s::float8) as s
  from month_tests
  group by operator_code, network_type, area_code, device_id, local_day
), group_samples as (
  -- Each group's samples' means in an array (hashed, both levels: a few hundred groups).
  select operator_code, network_type, area_code, count(*) as device_days, array_agg(s / n) as means
  from samples
  group by grouping sets ((operator_code, network_type), (operator_code, network_type, area_code))
)
select g.operator_code, g.network_type, g.area_code, g.device_days, m.ddm_x::numeric as ddm_x,
       m.vnnic_median_x + %(threshold)s::float8 as vnnic_median_x
from group_samples g
cross join lateral (
  select avg(x) + %(threshold)s::float8 as ddm_x, percentile_cont(0.5) within group (order by x) as vnnic_median_x
  from unnest(g.means) as x
) m;
