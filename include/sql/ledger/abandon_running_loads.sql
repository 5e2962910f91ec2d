-- Loads of the month still marked running when a new one starts: the new load holds the month's
-- advisory lock, so they are dead (a worker that crashed).
update ispeed.meta_load set status = 'abandoned', finished_at = now()
where dataset = %(dataset)s and month = %(month)s and status = 'running';
