-- Quarantined rows of a month by dataset and rule.
select dataset, rule, count(*) as rows
from ispeed.fact_quarantine
where month = %(month)s
group by dataset, rule
order by case dataset when 'measurements' then 1 when 'agency_returns' then 2 when 'operator_returns' then 3 else 4 end,
         rows desc, rule;
