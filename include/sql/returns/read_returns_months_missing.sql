-- For every sender (agency or operator) without an accepted return in the month (missing or
-- rejected), how many consecutive months, ending at the month, it has been without one: the
-- report's senders "không báo cáo từ 2 tháng liên tiếp" (report/collect.py). Not a mart: it reads
-- the returns' state (ispeed.agency_return_status, ispeed.operator_return_status, V002) of the
-- months whose returns were loaded (ispeed.meta_load), over the 24 months ending at the month; a
-- month never loaded ends the run (nobody was asked). Filed with the report's other reads of
-- history; its place by the tables it reads would be include/sql/returns/.
-- Gaps and islands: consecutive months of a sender share (month number - row number).
with loaded as (
  select distinct l.dataset, l.month
  from ispeed.meta_load l
  where l.dataset in ('agency_returns', 'operator_returns')
    and l.month between (%(month)s::date - interval '23 months')::date and %(month)s::date
), states as (
  select 'agency' as sender_kind, s.agency_code as sender_code, s.month, s.state
  from loaded m cross join lateral ispeed.agency_return_status(m.month) s
  where m.dataset = 'agency_returns'
  union all
  select 'operator', s.operator_code, s.month, s.state
  from loaded m cross join lateral ispeed.operator_return_status(m.month) s
  where m.dataset = 'operator_returns'
), without as (
  select sender_kind, sender_code, month,
         (extract(year from month)::int * 12 + extract(month from month)::int)
           - row_number() over (partition by sender_kind, sender_code order by month) as island
  from states
  where state <> 'submitted'
)
select sender_kind, sender_code, count(*)::int as months_missing, min(month) as missing_since
from without
group by sender_kind, sender_code, island
having max(month) = %(month)s::date
order by sender_kind, sender_code;
