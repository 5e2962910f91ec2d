-- Each file of a message and what its load made of it (the latest registration of the stored file);
-- a duplicate points at the earlier file with the same content; refused files have no load.
select mf.file_name, mf.dataset, mf.month, mf.refused, f.file_id, f.status, f.error,
       coalesce(earlier.file_id, f.file_id) as figures_file_id, earlier.file_name as earlier_file,
       earlier.registered_at as earlier_at
from ispeed.meta_mail_file mf
left join lateral (
  select * from ispeed.meta_file f
  where f.mail_message_id = mf.message_id and f.source_path = mf.stored_path
  order by f.file_id desc limit 1
) f on true
left join lateral (
  select e.file_id, e.file_name, e.registered_at from ispeed.meta_file e
  where f.status = 'duplicate_file' and e.dataset = f.dataset and e.sha256 = f.sha256
    and e.status in ('loaded', 'replaced') and e.file_id <> f.file_id
  order by e.file_id limit 1
) earlier on true
where mf.message_id = %(message_id)s
order by mf.mail_file_id;
