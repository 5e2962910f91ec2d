-- Loads of the month still marked running when a new one starts: the new load holds the month's
-- advisory lock, so they are dead (a worker that crashed, a try that was killed). Their files still
-- being read or staged are abandoned with them (the new load reads them again), so that `status`
-- shows no ghost of them. Returns what was abandoned, for the new try's log.
with abandoned as (
  update ispeed.meta_load
     set status = 'abandoned', finished_at = now()
   where dataset = %(dataset)s and month = %(month)s and status = 'running'
  returning load_id, run_id, started_at
),
abandoned_files as (
  update ispeed.meta_file as f
     set status = 'abandoned'
    from abandoned as a
   where f.load_id = a.load_id and f.status in ('reading', 'staged')
  returning f.load_id
)
select a.load_id, a.run_id, a.started_at,
       (select count(*) from abandoned_files as x where x.load_id = a.load_id) as files
from abandoned as a
order by a.load_id;
