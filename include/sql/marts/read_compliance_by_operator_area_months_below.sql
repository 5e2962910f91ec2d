-- For every operator and unit below the threshold in the month (verdict does_not_meet in
-- ispeed.mart_compliance_operator_area, compliance population), how many consecutive months, ending
-- at the month, its verdict has been does_not_meet: the report's units "dưới 40 Mbps từ 3 tháng liên
-- tiếp" (report/collect.py). Read across months of the mart (its index by area_code and month). A
-- month not computed, or one with another verdict, ends the run; so does the 2025-07 reform, since
-- the units' codes changed. Gaps and islands: consecutive months of a key share
-- (month number - row number).
with now_below as (
  select m.operator_code, m.network_type, m.area_code
  from ispeed.mart_compliance_operator_area m
  where m.month = %(month)s and m.in_compliance_scope and m.verdict = 'does_not_meet'
), below as (
  select h.operator_code, h.network_type, h.area_code, h.month,
         (extract(year from h.month)::int * 12 + extract(month from h.month)::int)
           - row_number() over (partition by h.operator_code, h.network_type, h.area_code order by h.month) as island
  from ispeed.mart_compliance_operator_area h
  join now_below n using (operator_code, network_type, area_code)
  where h.in_compliance_scope and h.verdict = 'does_not_meet' and h.month <= %(month)s
)
select operator_code, area_code, count(*)::int as months_below, min(month) as below_since
from below
group by operator_code, network_type, area_code, island
having max(month) = %(month)s
order by operator_code, area_code;
