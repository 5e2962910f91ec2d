-- The month's figures and verdicts, for the whole province (area_code NULL) and per district: the
-- temporary table month_figures, one row per key of either mart, which compliance_by_operator.sql
-- and compliance_by_operator_area.sql store. The method is written once, here, for both levels
-- (docs/method.md). Run by plugins/ispeed/compliance/runner.py inside the month's transaction, after
-- compliance_month_scope.sql (month_scope) and compliance_month_statistics.sql (month_statistics).
-- Parameters: month, threshold, statistic, t_quantiles (t quantile for df = 1..N), t_z and
-- t_g1..t_g4 (Cornish-Fisher expansion for df > N), min_tests, min_devices, min_effective_devices
-- (province), area_min_tests, area_min_devices, area_min_effective_devices (unit), vnnic_min_samples,
-- province_code.
-- month_statistics was filled from Python (compliance_store_statistics.sql): its statistics first,
-- for the planner.
analyze month_statistics;

create temp table month_figures on commit drop as
with areas as (
  -- The province's areas that existed at some time in the month (valid_to is inclusive).
  select distinct a.area_code
  from ispeed.dim_area a
  where a.province_code = %(province_code)s
    and a.valid_from < (%(month)s::date + interval '1 month')
    and (a.valid_to is null or a.valid_to >= %(month)s::date)
), keys as (
  -- The province: every operator valid in the month gets its compliance row, tests or not.
  select o.operator_code, s.network_type, null::text as area_code
  from ispeed.dim_operator o
  cross join month_scope s
  where s.in_compliance_scope
    and o.valid_from < (%(month)s::date + interval '1 month')
    and (o.valid_to is null or o.valid_to >= %(month)s::date)
  union
  -- The districts: every operator with compliance tests in the month gets a compliance row in
  -- every area, so a district without tests shows as insufficient_data.
  select o.operator_code, s.network_type, a.area_code
  from (select distinct st.operator_code
        from month_statistics st join month_scope sc on sc.network_type = st.network_type
        where st.area_code is not null and sc.in_compliance_scope) o
  cross join month_scope s
  cross join areas a
  where s.in_compliance_scope
  union
  -- Other populations, at both levels, only where there are tests.
  select operator_code, network_type, area_code from month_statistics
), tq as (
  -- The t quantile for each group's degrees of freedom: its devices (clusters) less one; null
  -- below 2 devices, where there is no interval.
  select g.operator_code, g.network_type, g.area_code,
         case when g.df < 1 then null
              when g.df <= cardinality(%(t_quantiles)s::float8[]) then (%(t_quantiles)s::float8[])[g.df::int]
              else %(t_z)s::float8 + %(t_g1)s::float8 / g.df + %(t_g2)s::float8 / g.df ^ 2
                   + %(t_g3)s::float8 / g.df ^ 3 + %(t_g4)s::float8 / g.df ^ 4
         end as t,
         -- The half-width of the interval clustered by device (CR1):
         --   t(G - 1) * sqrt(G / (G - 1) * sum_g (S_g - n_g * mean)^2) / n
         -- which is t(n - 1) * s / sqrt(n) when every test is a device of its own.
         case when g.df >= 1 then sqrt(g.clusters / g.df * greatest(g.cluster_ss, 0)) / g.tests end as se
  from (select operator_code, network_type, area_code, tests::float8 as tests, clusters::float8 as clusters,
               (clusters - 1)::float8 as df, cluster_ss
        from month_statistics) g
), rounded as (
  select k.operator_code, k.network_type, k.area_code, s.in_compliance_scope,
         coalesce(st.tests, 0)                as tests,
         coalesce(st.devices, 0)              as devices,
         coalesce(st.tests_without_device, 0) as tests_without_device,
         coalesce(st.device_days, 0)          as device_days,
         round(st.mean_x, 4)                  as mean,
         round(st.sd_x, 4)                    as stddev,
         round(st.mean_x - (tq.t * tq.se)::numeric, 4) as ci_low,
         round(st.mean_x + (tq.t * tq.se)::numeric, 4) as ci_high,
         round(st.pct[2]::numeric, 4)         as median,
         round(st.pct[1]::numeric, 4)         as p10,
         round(st.pct[3]::numeric, 4)         as p90,
         round(st.mean_upload_x, 4)           as mean_upload,
         round(st.median_upload_x::numeric, 4)  as median_upload,
         round(st.median_latency_x::numeric, 4) as median_latency,
         coalesce(st.at_or_above, 0)          as tests_at_or_above_threshold,
         round(st.at_or_above::numeric / nullif(st.tests, 0), 4) as share_at_or_above_threshold,
         round(st.ddm_x, 4)                   as device_day_weighted_mean,
         coalesce(st.clusters, 0)             as clusters,
         round(st.effective_devices_x, 4)     as effective_devices,
         round(st.vnnic_median_x::numeric, 4) as vnnic_median,
         case when k.area_code is null then %(min_tests)s else %(area_min_tests)s end     as min_tests,
         case when k.area_code is null then %(min_devices)s else %(area_min_devices)s end as min_devices,
         case when k.area_code is null then %(min_effective_devices)s
              else %(area_min_effective_devices)s end as min_effective_devices
  from keys k
  join month_scope s on s.network_type = k.network_type
  left join month_statistics st
    on st.operator_code = k.operator_code and st.network_type = k.network_type
   and st.area_code is not distinct from k.area_code
  left join tq
    on tq.operator_code = k.operator_code and tq.network_type = k.network_type
   and tq.area_code is not distinct from k.area_code
), checked as (
  select r.*,
         case %(statistic)s when 'mean' then r.mean
                            when 'median' then r.median
                            when 'device_day_mean' then r.device_day_weighted_mean end as figure,
         -- The first minimum the group misses (docs/method.md, "Minimum data"); null when it has enough.
         case when r.tests = 0 then 'no_tests'
              when r.tests < r.min_tests then 'tests'
              when r.clusters < r.min_devices then 'devices'
              when r.effective_devices < r.min_effective_devices then 'effective_devices'
         end as insufficient_reason
  from rounded r
), judged as (
  select c.*, c.insufficient_reason is null as sufficient_data,
         case when not c.in_compliance_scope then null
              when c.area_code = 'unassigned' then null  -- tests without a unit: figures, no verdict (V008)
              when c.device_days < %(vnnic_min_samples)s then 'insufficient_data'
              when c.vnnic_median >= %(threshold)s then 'meets'
              else 'does_not_meet' end as vnnic_verdict
  from checked c
), verdicts as (
  select j.*,
         case when not j.in_compliance_scope then null
              when j.area_code = 'unassigned' then null  -- tests without a unit: figures, no verdict (V008)
              when not j.sufficient_data then 'insufficient_data'
              when j.figure >= %(threshold)s then 'meets'      -- "at least": 40.0000 meets 40
              else 'does_not_meet' end as verdict,
         case when j.ci_low is null then null
              else j.ci_low < %(threshold)s and %(threshold)s <= j.ci_high end as ci_straddles_threshold
  from judged j
)
select v.*,
       case when v.verdict is null or v.vnnic_verdict is null then null
            else v.verdict <> 'insufficient_data' and v.vnnic_verdict <> 'insufficient_data'
                 and v.verdict <> v.vnnic_verdict end as vnnic_verdict_differs
from verdicts v;
