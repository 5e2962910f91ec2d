-- The files the run's loads looked at, counted by dataset and status, with their rows.
select f.dataset, f.status, count(*) as files, sum(f.rows_read) as rows_read, sum(f.rows_loaded) as rows_loaded,
       sum(f.rows_quarantined) as rows_quarantined, sum(f.rows_duplicate) as rows_duplicate
from ispeed.meta_file f
join ispeed.meta_load l on l.load_id = f.load_id
where l.month = %(month)s and l.run_id = %(run_id)s
group by f.dataset, f.status
order by f.dataset, f.status;
