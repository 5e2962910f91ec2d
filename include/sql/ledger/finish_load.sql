-- The load's outcome, with Great Expectations' result. rows_duplicate: the rows read that were
-- neither loaded nor quarantined (measurements: duplicate ids; returns: rows of returns that a
-- later return of the same sender replaced).
update ispeed.meta_load
set status = 'succeeded', finished_at = now(), files_seen = %(files_seen)s, rows_read = %(rows_read)s,
    rows_loaded = %(rows_loaded)s, rows_quarantined = %(rows_quarantined)s, rows_duplicate = %(rows_duplicate)s,
    validation = %(validation)s, error = null
where load_id = %(load_id)s;
