-- The files of a month's measurements, newest first, as the status command shows them.
select file_name, status, rows_read, rows_loaded, rows_quarantined, rows_duplicate,
       coalesce(error, '') as error, registered_at
from ispeed.meta_file
where dataset = 'measurements' and month = %(month)s and status <> 'replaced'
order by file_id;
