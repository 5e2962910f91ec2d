-- Rows the run's loads quarantined, by dataset and the first rule they broke.
select q.dataset, q.rule, count(*) as rows
from ispeed.fact_quarantine q
join ispeed.meta_load l on l.load_id = q.load_id
where l.month = %(month)s and l.run_id = %(run_id)s
group by q.dataset, q.rule
order by q.dataset, rows desc, q.rule;
