-- The month's devices: how many, how evenly they share the tests, and the sum of squares that the
-- interval clustered by device needs (docs/method.md, "Confidence interval"). The tests without a
-- device id are one device (device_id NULL groups together): they may all come from one phone.
-- Per (operator_code, network_type, area_code); area_code is NULL on the province's row, where a
-- device is one cluster across the units it tested in.
--   devices              distinct device ids (not counting the tests without one);
--   clusters             devices, plus one when there are tests without a device id;
--   effective_devices_x  Kish's effective number: (sum of n_g)^2 / sum of n_g^2, n_g a device's tests;
--   cluster_ss           sum over devices of (S_g - n_g * mean)^2, S_g the sum of a device's downloads.
-- Run by plugins/ispeed/compliance/runner.py on a connection of its own, beside the other
-- compliance_stats_*.sql files, after compliance_month_tests.sql; the rows go to month_statistics.
with unit_devices as (
  select operator_code, network_type, area_code, device_id,
         count(*)::float8 as n, sum(download_mbps) as s
  from month_tests
  group by operator_code, network_type, area_code, device_id
), device_sums as (
  select operator_code, network_type, area_code, device_id, n, s from unit_devices
  union all
  select operator_code, network_type, null::text collate "C", device_id, sum(n), sum(s)
  from unit_devices
  group by operator_code, network_type, device_id
), means as (
  -- Each group's mean, for the centred sums (a few hundred rows, joined by hash: '' is the province).
  select operator_code, network_type, coalesce(area_code, '') as area_key, sum(s) / sum(n) as mean
  from device_sums
  group by operator_code, network_type, coalesce(area_code, '')
)
select d.operator_code, d.network_type, d.area_code,
       count(d.device_id)                          as devices,
       count(*)                                    as clusters,
       (sum(d.n) ^ 2 / sum(d.n * d.n))::numeric    as effective_devices_x,
       sum((d.s - d.n * m.mean) ^ 2)               as cluster_ss
from device_sums d
join means m
  on m.operator_code = d.operator_code and m.network_type = d.network_type
 and m.area_key = coalesce(d.area_code, '')
group by d.operator_code, d.network_type, d.area_code;
