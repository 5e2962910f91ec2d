-- The month's quarantined rows by dataset and rule, most frequent first: section 6 of the report
-- (report/collect.py).
select dataset, rule, min(message) as message, count(*)::bigint as rows
from ispeed.fact_quarantine
where month = %(month)s
group by dataset, rule
order by case dataset when 'measurements' then 1 when 'agency_returns' then 2 when 'operator_returns' then 3 else 4 end,
         rows desc, rule;
