-- An accepted file that is no sender's latest return any more has been replaced by a later one.
update ispeed.meta_file f
set status = 'replaced'
where f.dataset = %(dataset)s and f.month = %(month)s and f.status = 'loaded'
  and not exists (select 1 from ispeed.v_latest_return l
                  where l.dataset = f.dataset and l.month = f.month and l.file_id = f.file_id)
returning f.file_id;
