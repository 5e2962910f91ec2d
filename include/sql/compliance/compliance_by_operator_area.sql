-- ispeed.mart_compliance_operator_area for one month: per operator, network type and district
-- (area). The same statistics as compliance_by_operator.sql, one level down (the rows of
-- month_statistics with an area_code); docs/method.md.
-- Parameters: those of compliance_by_operator.sql, with area_min_tests and area_min_devices as the
-- minimums, and province_code (include/config/pipeline.yaml) for the areas listed without tests.
delete from ispeed.mart_compliance_operator_area where month = %(month)s;

insert into ispeed.mart_compliance_operator_area
  (month, operator_code, network_type, area_code, in_compliance_scope, tests, devices,
   tests_without_device, device_days, mean, stddev, ci_low, ci_high, median, p10, p90, mean_upload,
   median_upload, median_latency, tests_at_or_above_threshold, share_at_or_above_threshold,
   device_day_weighted_mean, statistic, figure, sufficient_data, verdict, ci_straddles_threshold,
   threshold, confidence, min_tests, min_devices, method_version, run_id, computed_at)
with scope as (
  select * from month_scope
), stats as (
  -- compliance_month_statistics.sql, same transaction: the districts' rows
  select * from month_statistics where area_code is not null
), areas as (
  -- The province's areas that existed at some time in the month (valid_to is inclusive).
  select distinct a.area_code
  from ispeed.dim_area a
  where a.province_code = %(province_code)s
    and a.valid_from < (%(month)s::date + interval '1 month')
    and (a.valid_to is null or a.valid_to >= %(month)s::date)
), keys as (
  -- Every operator with compliance tests in the month gets a compliance row in every area, so a
  -- district without tests shows as insufficient_data; other populations only where there are tests.
  select o.operator_code, s.network_type, a.area_code
  from (select distinct st.operator_code
        from stats st join scope sc on sc.network_type = st.network_type
        where sc.in_compliance_scope) o
  cross join scope s
  cross join areas a
  where s.in_compliance_scope
  union
  select operator_code, network_type, area_code from stats
), tq as (
  select g.operator_code, g.network_type, g.area_code,
         case when g.df < 1 then null
              when g.df <= cardinality(%(t_quantiles)s::float8[]) then (%(t_quantiles)s::float8[])[g.df::int]
              else %(t_z)s::float8 + %(t_g1)s::float8 / g.df + %(t_g2)s::float8 / g.df ^ 2
                   + %(t_g3)s::float8 / g.df ^ 3 + %(t_g4)s::float8 / g.df ^ 4
         end as t
  from (select operator_code, network_type, area_code, (tests - 1)::float8 as df from stats) g
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
         round(st.ddm_x, 4)                   as device_day_weighted_mean
  from keys k
  join scope s on s.network_type = k.network_type
  left join stats st
    on st.operator_code = k.operator_code and st.network_type = k.network_type and st.area_code = k.area_code
  left join tq
    on tq.operator_code = k.operator_code and tq.network_type = k.network_type and tq.area_code = k.area_code
), judged as (
  select r.*,
         case %(statistic)s when 'mean' then r.mean
                            when 'median' then r.median
                            when 'device_day_mean' then r.device_day_weighted_mean end as figure,
         (r.tests > 0 and r.tests >= %(area_min_tests)s
          and r.devices + r.tests_without_device >= %(area_min_devices)s) as sufficient_data
  from rounded r
)
select %(month)s::date, j.operator_code, j.network_type, j.area_code, j.in_compliance_scope, j.tests,
       j.devices, j.tests_without_device, j.device_days, j.mean, j.stddev, j.ci_low, j.ci_high,
       j.median, j.p10, j.p90, j.mean_upload, j.median_upload, j.median_latency,
       j.tests_at_or_above_threshold, j.share_at_or_above_threshold, j.device_day_weighted_mean,
       %(statistic)s, j.figure, j.sufficient_data,
       case when not j.in_compliance_scope then null
            when not j.sufficient_data then 'insufficient_data'
            when j.figure >= %(threshold)s then 'meets'
            else 'does_not_meet' end,
       case when j.ci_low is null then null
            else j.ci_low < %(threshold)s and %(threshold)s <= j.ci_high end,
       %(threshold)s, %(confidence)s, %(area_min_tests)s, %(area_min_devices)s, %(method_version)s,
       %(run_id)s, now()
from judged j
order by j.operator_code, j.network_type, j.area_code;
