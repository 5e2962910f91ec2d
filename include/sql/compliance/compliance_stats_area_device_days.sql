-- The month's device-days and their mean (docs/method.md): each (device, local day) is one unit;
-- a test without a device id is a unit of its own. Within a district, a device testing in two
-- districts on one day is a unit in each. A unit's mean is a double, their mean exact (numeric),
-- as before these parts were split. The districts' level; the province's is
-- compliance_stats_device_days.sql, computed at the same time.
-- Run by plugins/ispeed/compliance/runner.py on a connection of its own, beside the other
-- compliance_stats_*.sql files, after compliance_month_tests.sql; the rows go to month_statistics.
with units as (
  select operator_code, network_type, area_code, avg(download_mbps) as unit_mean
  from month_tests
  group by operator_code, network_type, area_code, device_id, local_day, lone_test
)
select operator_code, network_type, area_code, count(*) as device_days, avg(unit_mean::numeric) as ddm_x
from units
group by operator_code, network_type, area_code;
