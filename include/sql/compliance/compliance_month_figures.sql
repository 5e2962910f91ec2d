-- The month's figures and verdicts, for the whole province (area_code NULL) and per district: the
-- temporary table month_figures, one row per key of either mart, which compliance_by_operator.sql
-- and compliance_by_operator_area.sql store. The method is written once, here, for both levels
-- (docs/method.md). Run by plugins/ispeed/compliance/runner.py inside the month's transaction, after
-- compliance_month_scope.sql (month_scope) and compliance_month_statistics.sql (month_statistics).
-- Parameters: month, threshold, statistic, t_quantiles (t quantile for df = 1..N), t_z and
-- t_g1..t_g4 (Cornish-Fisher expansion for df > N), min_tests, min_devices (province),
-- area_min_tests, area_min_devices (district), province_code.
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
  -- The t quantile for each group's degrees of freedom (null below 2 tests).
  select g.operator_code, g.network_type, g.area_code,
         case when g.df < 1 then null
              when g.df <= cardinality(%(t_quantiles)s::float8[]) then (%(t_quantiles)s::float8[])[g.df::int]
              else %(t_z)s::float8 + %(t_g1)s::float8 / g.df + %(t_g2)s::float8 / g.df ^ 2
                   + %(t_g3)s::float8 / g.df ^ 3 + %(t_g4)s::float8 / g.df ^ 4
         end as t
  from (select operator_code, network_type, area_code, (tests - 1)::float8 as df from month_statistics) g
), rounded as (
  select k.operator_code, k.network_type, k.area_code, s.in_compliance_scope,
         coalesce(st.tests, 0)                as tests,
         coalesce(st.devices, 0)              as devices,
         coalesce(st.tests_without_device, 0) as tests_without_device,
         coalesce(st.device_days, 0)          as device_days,
         round(st.mean_x, 4)                  as mean,
         round(st.sd_x, 4)                    as stddev,
         round(st.mean_x - (tq.t * st.sd_x::float8 / sqrt(st.tests::float8))::numeric, 4) as ci_low,
         round(st.mean_x + (tq.t * st.sd_x::float8 / sqrt(st.tests::float8))::numeric, 4) as ci_high,
         round(st.pct[2]::numeric, 4)         as median,
         round(st.pct[1]::numeric, 4)         as p10,
         round(st.pct[3]::numeric, 4)         as p90,
         round(st.mean_upload_x, 4)           as mean_upload,
         round(st.median_upload_x::numeric, 4)  as median_upload,
         round(st.median_latency_x::numeric, 4) as median_latency,
         coalesce(st.at_or_above, 0)          as tests_at_or_above_threshold,
         round(st.at_or_above::numeric / nullif(st.tests, 0), 4) as share_at_or_above_threshold,
         round(st.ddm_x, 4)                   as device_day_weighted_mean,
         case when k.area_code is null then %(min_tests)s else %(area_min_tests)s end     as min_tests,
         case when k.area_code is null then %(min_devices)s else %(area_min_devices)s end as min_devices
  from keys k
  join month_scope s on s.network_type = k.network_type
  left join month_statistics st
    on st.operator_code = k.operator_code and st.network_type = k.network_type
   and st.area_code is not distinct from k.area_code
  left join tq
    on tq.operator_code = k.operator_code and tq.network_type = k.network_type
   and tq.area_code is not distinct from k.area_code
), judged as (
  select r.*,
         case %(statistic)s when 'mean' then r.mean
                            when 'median' then r.median
                            when 'device_day_mean' then r.device_day_weighted_mean end as figure,
         (r.tests > 0 and r.tests >= r.min_tests
          and r.devices + r.tests_without_device >= r.min_devices) as sufficient_data
  from rounded r
)
select j.*,
       case when not j.in_compliance_scope then null
            when j.area_code = 'unassigned' then null  -- tests without a unit: figures, no verdict (V008)
            when not j.sufficient_data then 'insufficient_data'
            when j.figure >= %(threshold)s then 'meets'      -- "at least": 40.0000 meets 40
            else 'does_not_meet' end as verdict,
       case when j.ci_low is null then null
            else j.ci_low < %(threshold)s and %(threshold)s <= j.ci_high end as ci_straddles_threshold
from judged j;
