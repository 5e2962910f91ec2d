-- Quarantined measurements of a month by rule.
select rule, count(*) as rows
from ispeed.fact_quarantine
where dataset = 'measurements' and month = %(month)s
group by rule
order by rows desc, rule;
