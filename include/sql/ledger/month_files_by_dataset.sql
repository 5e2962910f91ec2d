-- Per dataset, the month's files and rows as the load ledger (meta_file, meta_load) holds them now:
-- section 6 of the report (report/collect.py).
-- Files replaced by a reload are left out (their rows are counted again under the reload's files);
-- a file loaded once counts once. loads_failed: loads of the month that ended in failure.
with files as (
  select dataset,
         count(*) filter (where status = 'loaded')                         as files_loaded,
         count(*) filter (where status = 'rejected')                       as files_rejected,
         count(*) filter (where status = 'duplicate_file')                 as files_duplicate,
         coalesce(sum(rows_read)        filter (where status = 'loaded'), 0) as rows_read,
         coalesce(sum(rows_loaded)      filter (where status = 'loaded'), 0) as rows_loaded,
         coalesce(sum(rows_quarantined) filter (where status = 'loaded'), 0) as rows_quarantined,
         coalesce(sum(rows_duplicate)   filter (where status = 'loaded'), 0) as rows_duplicate
  from ispeed.meta_file
  where month = %(month)s and status <> 'replaced'
  group by dataset
), loads as (
  select dataset, count(*) filter (where status = 'failed') as loads_failed
  from ispeed.meta_load
  where month = %(month)s
  group by dataset
)
select coalesce(f.dataset, l.dataset) as dataset,
       coalesce(f.files_loaded, 0)::int, coalesce(f.files_rejected, 0)::int, coalesce(f.files_duplicate, 0)::int,
       coalesce(f.rows_read, 0)::bigint, coalesce(f.rows_loaded, 0)::bigint,
       coalesce(f.rows_quarantined, 0)::bigint, coalesce(f.rows_duplicate, 0)::bigint,
       coalesce(l.loads_failed, 0)::int
from files f
full join loads l on l.dataset = f.dataset
order by case coalesce(f.dataset, l.dataset)
           when 'measurements' then 1 when 'agency_returns' then 2 when 'operator_returns' then 3 else 4 end,
         coalesce(f.dataset, l.dataset);
