-- ispeed.mart_compliance_operator for one month: per operator and network type, the whole province.
-- Run by plugins/ispeed/compliance/runner.py inside the month's transaction, after
-- compliance_month_figures.sql (month_figures: the figures and verdicts of both levels);
-- docs/method.md is the method. Parameters: month, statistic, threshold, confidence,
-- method_version, run_id, vnnic_min_samples.
delete from ispeed.mart_compliance_operator where month = %(month)s;

insert into ispeed.mart_compliance_operator
  (month, operator_code, network_type, in_compliance_scope, tests, devices, tests_without_device,
   device_days, mean, stddev, ci_low, ci_high, median, p10, p90, mean_upload, median_upload,
   median_latency, tests_at_or_above_threshold, share_at_or_above_threshold, device_day_weighted_mean,
   statistic, figure, sufficient_data, verdict, ci_straddles_threshold, threshold, confidence,
   min_tests, min_devices, effective_devices, min_effective_devices, insufficient_reason,
   vnnic_median, vnnic_verdict, vnnic_min_samples, vnnic_verdict_differs, method_version, run_id,
   computed_at)
select %(month)s::date, f.operator_code, f.network_type, f.in_compliance_scope, f.tests, f.devices,
       f.tests_without_device, f.device_days, f.mean, f.stddev, f.ci_low, f.ci_high, f.median, f.p10,
       f.p90, f.mean_upload, f.median_upload, f.median_latency, f.tests_at_or_above_threshold,
       f.share_at_or_above_threshold, f.device_day_weighted_mean, %(statistic)s, f.figure,
       f.sufficient_data, f.verdict, f.ci_straddles_threshold, %(threshold)s, %(confidence)s,
       f.min_tests, f.min_devices, f.effective_devices, f.min_effective_devices, f.insufficient_reason,
       f.vnnic_median, f.vnnic_verdict, %(vnnic_min_samples)s, f.vnnic_verdict_differs,
       %(method_version)s, %(run_id)s, now()
from month_figures f
where f.area_code is null
order by f.operator_code, f.network_type;
