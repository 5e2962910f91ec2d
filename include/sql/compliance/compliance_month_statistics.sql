-- The month's statistics per operator and population, for the whole province (area_code NULL)
-- and per district: the temporary table month_statistics, which compliance_by_operator.sql and
-- compliance_by_operator_area.sql turn into verdicts. docs/method.md is the method.
-- plugins/ispeed/compliance/runner.py computes the parts (compliance_stats_*.sql) on connections of their
-- own, in the month's snapshot and at the same time, and inserts their rows here, one per group.
create temp table month_statistics (
  operator_code        text not null,
  network_type         text not null,
  area_code            text,
  tests                bigint not null,
  tests_without_device bigint not null,
  mean_x               numeric,
  sd_x                 numeric,
  pct                  double precision[],
  mean_upload_x        numeric,
  at_or_above          bigint not null,
  median_upload_x      double precision,
  median_latency_x     double precision,
  devices              bigint not null,
  clusters             bigint not null,
  effective_devices_x  numeric,
  cluster_ss           double precision,
  device_days          bigint not null,
  ddm_x                numeric,
  vnnic_median_x       double precision
) on commit drop;
