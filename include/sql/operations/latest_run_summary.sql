-- The newest run summary of a month (what the deadline alert quotes).
select run_id, text, updated_at
from ispeed.meta_run_summary
where month = %(month)s
order by updated_at desc
limit 1;
