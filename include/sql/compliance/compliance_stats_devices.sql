-- The month's devices (docs/method.md §3, §6), from one pass over the tests. The tests without a
-- device id are one device (device_id NULL groups together): they may all come from one phone.
-- Per (operator_code, network_type, area_code); area_code is NULL on the province's row.
-- Parameters: threshold.
--
-- At the province's level a device is one cluster across its units.
--   devices              distinct device ids (not counting the tests without one);
--   clusters             devices, plus one when there are tests without a device id;
--   effective_devices_x  Kish's effective number: (sum of n_g)^2 / sum of n_g^2, n_g a device's tests;
--   cluster_ss           sum over devices of (S_g - n_g * mean)^2, S_g the sum of a device's
--                        downloads: what the interval clustered by device needs.
-- cluster_ss comes from sums: sum S_g^2 - 2 mean sum n_g S_g + mean^2 sum n_g^2, with mean =
-- sum S_g / sum n_g. The downloads are taken less the threshold first (the result is the same for
-- any shift), so that the terms stay small where speeds are near it and the subtraction loses
-- little; greatest(0, ...) where rounding leaves a hair below zero.
-- The devices are hashed, not sorted. The device-days (VNNIC's samples) are a part of their own,
-- compliance_stats_device_days.sql: the two hashes of a month (devices, device-days) then run on
-- two cores instead of one after the other.
-- Run by plugins/ispeed/compliance/runner.py on a connection of its own, beside the other
-- compliance_stats_*.sql files, after compliance_month_tests.sql; the rows go to month_statistics.
with unit_devices as materialized (
  select operator_code, network_type, area_code, device_id,
         count(*)::float8 as n, sum(download_mbps - %(threshold)s::float8) as s
  from month_tests
  group by operator_code, network_type, area_code, device_id
), province_devices as (
  select operator_code, network_type, device_id, sum(n) as n, sum(s) as s
  from unit_devices
  group by operator_code, network_type, device_id
), device_sums as (
  select operator_code, network_type, area_code,
         count(device_id) as devices, count(*) as clusters,
         sum(n) as n, sum(s) as s, sum(s * s) as ss, sum(n * s) as ns, sum(n * n) as nn
  from unit_devices
  group by operator_code, network_type, area_code
  union all
  select operator_code, network_type, null::text collate "C",
         count(device_id), count(*), sum(n), sum(s), sum(s * s), sum(n * s), sum(n * n)
  from province_devices
  group by operator_code, network_type
)
select d.operator_code, d.network_type, d.area_code, d.devices, d.clusters,
       (d.n * d.n / d.nn)::numeric                                       as effective_devices_x,
       greatest(0, d.ss - 2 * (d.s / d.n) * d.ns + (d.s / d.n) ^ 2 * d.nn) as cluster_ss
from device_sums d;
