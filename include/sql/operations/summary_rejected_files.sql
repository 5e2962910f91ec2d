-- Files of the run's loads that were rejected as a whole, with the reason (first ones only).
select f.dataset, f.file_name, f.error
from ispeed.meta_file f
join ispeed.meta_load l on l.load_id = f.load_id
where l.month = %(month)s and l.run_id = %(run_id)s and f.status = 'rejected'
order by f.dataset, f.file_id
limit %(limit)s;
