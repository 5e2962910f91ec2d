-- V012: statistics that respect devices, and figures comparable with VNNIC's (issue 15; method 2.0,
-- docs/method.md).
--
-- From method 2.0 the compliance marts:
-- - give the confidence interval of the mean clustered by device (ci_low, ci_high keep their names;
--   rows of method 1.0 hold the interval that treated tests as independent);
-- - count the tests without a device id of a group as one device, together, in every figure built on
--   devices (the floor on devices, the interval, the effective number of devices, the device-days);
-- - form device-days (VNNIC's representative samples: one device, one unit, one local day) within a
--   unit at both levels, so that device_days and device_day_weighted_mean are VNNIC's sample count
--   and mean;
-- - hold a verdict only where the effective number of devices (Kish: (sum of tests)^2 / sum of each
--   device's tests squared) reaches min_effective_devices: one phone cannot decide a verdict;
-- - give VNNIC's figure (the median of the representative samples), the verdict it would give, and
--   whether the two verdicts differ.
-- Rows computed under method 1.0 keep NULL in the new columns.

alter table ispeed.mart_compliance_operator
  add column if not exists effective_devices      numeric(14,4),
  add column if not exists min_effective_devices  int,
  add column if not exists insufficient_reason    text,
  add column if not exists vnnic_median           numeric(14,4),
  add column if not exists vnnic_verdict          text,
  add column if not exists vnnic_min_samples      int,
  add column if not exists vnnic_verdict_differs  boolean,
  add constraint mart_compliance_operator_insufficient_reason
    check (insufficient_reason in ('no_tests', 'tests', 'devices', 'effective_devices')),
  add constraint mart_compliance_operator_vnnic_verdict
    check (vnnic_verdict in ('meets', 'does_not_meet', 'insufficient_data'));

alter table ispeed.mart_compliance_operator_area
  add column if not exists effective_devices      numeric(14,4),
  add column if not exists min_effective_devices  int,
  add column if not exists insufficient_reason    text,
  add column if not exists vnnic_median           numeric(14,4),
  add column if not exists vnnic_verdict          text,
  add column if not exists vnnic_min_samples      int,
  add column if not exists vnnic_verdict_differs  boolean,
  add constraint mart_compliance_operator_area_insufficient_reason
    check (insufficient_reason in ('no_tests', 'tests', 'devices', 'effective_devices')),
  add constraint mart_compliance_operator_area_vnnic_verdict
    check (vnnic_verdict in ('meets', 'does_not_meet', 'insufficient_data'));

comment on column ispeed.mart_compliance_operator.devices is
  'distinct device ids (the tests without a device id count as one more device, together: docs/method.md)';
comment on column ispeed.mart_compliance_operator.device_days is
  'VNNIC''s representative samples: (device, unit, local day); the tests without a device id are one device';
comment on column ispeed.mart_compliance_operator.ci_low is
  'confidence interval of the mean, clustered by device from method 2.0 (null below 2 devices)';
comment on column ispeed.mart_compliance_operator.effective_devices is
  'Kish''s effective number of devices: (sum of tests)^2 / sum over devices of their tests squared';
comment on column ispeed.mart_compliance_operator.insufficient_reason is
  'why sufficient_data is false: no_tests, tests, devices or effective_devices (the first that fails)';
comment on column ispeed.mart_compliance_operator.vnnic_median is
  'VNNIC''s figure: the median of the representative samples'' means (device_days)';
comment on column ispeed.mart_compliance_operator.vnnic_verdict is
  'the verdict on vnnic_median: at least vnnic_min_samples representative samples, median >= threshold';
comment on column ispeed.mart_compliance_operator.vnnic_verdict_differs is
  'verdict and vnnic_verdict are both meets/does_not_meet and differ';
