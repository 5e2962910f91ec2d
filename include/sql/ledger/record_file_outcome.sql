-- A file's outcome in its load.
update ispeed.meta_file
set status = %(status)s, error = %(error)s, rows_read = %(rows_read)s, rows_loaded = %(rows_loaded)s,
    rows_quarantined = %(rows_quarantined)s, rows_duplicate = %(rows_duplicate)s
where file_id = %(file_id)s;
