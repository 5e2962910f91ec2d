-- ispeed.mart_compliance_trend for one reporting month: the trend_months months ending at it, per
-- operator and network type, from the stored ispeed.mart_compliance_operator rows (run after
-- compliance_by_operator.sql in the same transaction, so the reporting month itself is fresh).
-- Earlier months are taken as stored: a month recomputed later (a backfill) changes this trend only
-- when the reporting month is computed again. Months never computed are absent (a gap in the chart).
-- The figure is the configured statistic (mean by default), read from the stored column of that
-- statistic, so the whole chart uses one statistic. A month enters a comparison only with
-- sufficient data (its own minimums as stored).
-- Parameters: month, statistic, trend_months, method_version, run_id.
delete from ispeed.mart_compliance_trend where month = %(month)s;

insert into ispeed.mart_compliance_trend
  (month, operator_code, network_type, trend_month, in_compliance_scope, tests, devices, mean, median,
   device_day_weighted_mean, statistic, figure, sufficient_data, verdict, previous_month_figure,
   change_vs_previous_month, change_vs_previous_month_pct, previous_12_months_mean,
   months_in_previous_12, change_vs_previous_12_months, change_vs_previous_12_months_pct,
   source_method_version, source_computed_at, method_version, run_id, computed_at)
with src as (
  -- The shown months and the 12 before the earliest of them.
  select m.*,
         case %(statistic)s when 'mean' then m.mean
                            when 'median' then m.median
                            when 'device_day_mean' then m.device_day_weighted_mean end as fig,
         m.sufficient_data and m.tests > 0 as comparable
  from ispeed.mart_compliance_operator m
  where m.month >= (%(month)s::date - make_interval(months => %(trend_months)s - 1 + 12))::date
    and m.month <= %(month)s::date
), shown as (
  select s.*
  from src s
  where s.month > (%(month)s::date - make_interval(months => %(trend_months)s))::date
), compared as (
  select s.*,
         p.fig as prev_fig,
         round(b.mean_fig, 4) as base_fig,   -- compared as shown
         coalesce(b.months, 0) as base_months
  from shown s
  left join src p
    on p.operator_code = s.operator_code and p.network_type = s.network_type
   and p.month = (s.month - interval '1 month')::date and p.comparable
  left join lateral (
    select avg(b.fig) as mean_fig, count(*) as months
    from src b
    where b.operator_code = s.operator_code and b.network_type = s.network_type
      and b.month >= (s.month - interval '12 months')::date and b.month < s.month
      and b.comparable
  ) b on true
)
select %(month)s::date, c.operator_code, c.network_type, c.month, c.in_compliance_scope, c.tests,
       c.devices, c.mean, c.median, c.device_day_weighted_mean, %(statistic)s, c.fig,
       c.sufficient_data, c.verdict,
       c.prev_fig,
       case when c.comparable then c.fig - c.prev_fig end,
       case when c.comparable then round((c.fig - c.prev_fig) / nullif(c.prev_fig, 0) * 100, 4) end,
       c.base_fig,
       c.base_months,
       case when c.comparable then c.fig - c.base_fig end,
       case when c.comparable then round((c.fig - c.base_fig) / nullif(c.base_fig, 0) * 100, 4) end,
       c.method_version, c.computed_at, %(method_version)s, %(run_id)s, now()
from compared c
order by c.operator_code, c.network_type, c.month;
