-- V003: monthly operator compliance (issue 4). Result tables ("marts") filled by
-- plugins/ispeed/compliance.py from include/sql/compliance/*.sql, one month at a time: a month is
-- replaced as a whole in one transaction (delete the month, insert it again). docs/method.md
-- describes every column. Speeds are in Mbps, latency in ms, shares are fractions (0..1); every
-- figure is rounded to 4 decimals so that a recomputed month compares equal.
-- The settings in force (threshold, minimums, statistic, confidence, method version) are stored on
-- each row, so a month stays readable after the configuration changes.

-- Per operator and network type, for the whole province. One row per network type with tests in
-- the month, plus the compliance population (include/config/compliance.yaml network_types) for
-- every operator valid in the month even without tests. When the compliance population is a single
-- network type its row is that type's row; with several types it is an extra row labelled
-- '4G+5G' (sorted codes joined by '+').
create table if not exists ispeed.mart_compliance_operator (
  month                        date    not null,
  operator_code                text    not null,
  network_type                 text    not null,   -- a network type code, or the compliance label
  in_compliance_scope          boolean not null,   -- the row the verdict is about
  tests                        bigint  not null,
  devices                      bigint  not null,   -- distinct device ids
  tests_without_device         bigint  not null,   -- tests whose device is unknown
  device_days                  bigint  not null,   -- (device, local day) units; unknown device: one per test
  mean                         numeric(14,4),      -- download, Mbps
  stddev                       numeric(14,4),      -- sample standard deviation of download
  ci_low                       numeric(14,4),      -- confidence interval of the mean (null below 2 tests)
  ci_high                      numeric(14,4),
  median                       numeric(14,4),
  p10                          numeric(14,4),
  p90                          numeric(14,4),
  mean_upload                  numeric(14,4),
  median_upload                numeric(14,4),
  median_latency               numeric(14,4),      -- ms
  tests_at_or_above_threshold  bigint  not null,
  share_at_or_above_threshold  numeric(7,4),       -- fraction of tests with download >= threshold
  device_day_weighted_mean     numeric(14,4),
  statistic                    text    not null,   -- mean / median / device_day_mean
  figure                       numeric(14,4),      -- the statistic's value: what the verdict compares
  sufficient_data              boolean not null,   -- tests >= min_tests and devices + tests_without_device >= min_devices
  verdict                      text,               -- meets / does_not_meet / insufficient_data; null outside the scope
  ci_straddles_threshold       boolean,            -- ci_low < threshold <= ci_high (null without an interval)
  threshold                    numeric(10,4) not null,
  confidence                   numeric(6,4)  not null,
  min_tests                    int     not null,
  min_devices                  int     not null,
  method_version               text    not null,
  run_id                       text,
  computed_at                  timestamptz not null,
  primary key (month, operator_code, network_type),
  check (verdict in ('meets', 'does_not_meet', 'insufficient_data')),
  check ((verdict is null) = (not in_compliance_scope)),
  check (statistic in ('mean', 'median', 'device_day_mean'))
);

-- The same per operator x district (area). For the compliance population every area valid in the
-- month is listed for every operator with compliance tests in the month, so that a district without
-- tests shows as 'insufficient_data' (tests 0) instead of being missing. Other network types: only
-- the areas where they have tests.
create table if not exists ispeed.mart_compliance_operator_area (
  month                        date    not null,
  operator_code                text    not null,
  network_type                 text    not null,
  area_code                    text    not null,
  in_compliance_scope          boolean not null,
  tests                        bigint  not null,
  devices                      bigint  not null,
  tests_without_device         bigint  not null,
  device_days                  bigint  not null,
  mean                         numeric(14,4),
  stddev                       numeric(14,4),
  ci_low                       numeric(14,4),
  ci_high                      numeric(14,4),
  median                       numeric(14,4),
  p10                          numeric(14,4),
  p90                          numeric(14,4),
  mean_upload                  numeric(14,4),
  median_upload                numeric(14,4),
  median_latency               numeric(14,4),
  tests_at_or_above_threshold  bigint  not null,
  share_at_or_above_threshold  numeric(7,4),
  device_day_weighted_mean     numeric(14,4),
  statistic                    text    not null,
  figure                       numeric(14,4),
  sufficient_data              boolean not null,
  verdict                      text,
  ci_straddles_threshold       boolean,
  threshold                    numeric(10,4) not null,
  confidence                   numeric(6,4)  not null,
  min_tests                    int     not null,
  min_devices                  int     not null,
  method_version               text    not null,
  run_id                       text,
  computed_at                  timestamptz not null,
  primary key (month, operator_code, network_type, area_code),
  check (verdict in ('meets', 'does_not_meet', 'insufficient_data')),
  check ((verdict is null) = (not in_compliance_scope)),
  check (statistic in ('mean', 'median', 'device_day_mean'))
);
-- "How did district X do over the months" reads across months.
create index if not exists mart_compliance_operator_area_by_area
  on ispeed.mart_compliance_operator_area (area_code, month);

-- The trend as the reporting month saw it: for reporting month `month`, one row per operator,
-- network type and month of the `trend_months` months ending at it (months never computed are
-- absent), taken from the stored mart_compliance_operator rows of those months. Each trend month's
-- figure is compared with the month before it and with the mean of the 12 months before it; only
-- months with sufficient data enter a comparison.
create table if not exists ispeed.mart_compliance_trend (
  month                           date    not null,   -- the reporting month
  operator_code                   text    not null,
  network_type                    text    not null,
  trend_month                     date    not null,   -- month of this point of the chart
  in_compliance_scope             boolean not null,
  tests                           bigint  not null,
  devices                         bigint  not null,
  mean                            numeric(14,4),
  median                          numeric(14,4),
  device_day_weighted_mean        numeric(14,4),
  statistic                       text    not null,   -- the reporting month's statistic
  figure                          numeric(14,4),      -- that statistic in trend_month
  sufficient_data                 boolean not null,
  verdict                         text,               -- as stored for trend_month
  previous_month_figure           numeric(14,4),
  change_vs_previous_month        numeric(14,4),
  change_vs_previous_month_pct    numeric(14,4),      -- percent
  previous_12_months_mean         numeric(14,4),      -- mean of the monthly figures of the 12 months before
  months_in_previous_12           int     not null,   -- how many months that mean is over
  change_vs_previous_12_months    numeric(14,4),
  change_vs_previous_12_months_pct numeric(14,4),
  source_method_version           text    not null,   -- of trend_month's stored row
  source_computed_at              timestamptz not null,
  method_version                  text    not null,
  run_id                          text,
  computed_at                     timestamptz not null,
  primary key (month, operator_code, network_type, trend_month)
);
