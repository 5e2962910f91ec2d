-- The loads of one run for a month: one row per dataset and load.
select load_id, dataset, status, files_seen, rows_read, rows_loaded, rows_quarantined, rows_duplicate,
       error, started_at, finished_at
from ispeed.meta_load
where month = %(month)s and run_id = %(run_id)s
order by dataset, load_id;
