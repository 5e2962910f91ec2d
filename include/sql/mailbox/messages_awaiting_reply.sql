-- The filed messages without an outcome reply yet whose every stored file has been through a load
-- (a load that failed leaves its message waiting for the next pull), and those whose reply failed.
select m.message_id, m.from_address, m.from_name, m.subject, m.sent_at, m.status, m.released_by
from ispeed.meta_mail_message m
where m.status in ('filed', 'no_return', 'released')
  and not exists (select 1 from ispeed.meta_mail_reply r
                  where r.message_id = m.message_id and r.purpose = 'outcome' and r.status <> 'failed')
  and not exists (
    select 1 from ispeed.meta_mail_file mf
    where mf.message_id = m.message_id and mf.stored_path is not null
      and not exists (select 1 from ispeed.meta_file f
                      where f.mail_message_id = m.message_id and f.source_path = mf.stored_path
                        and f.status not in ('reading', 'staged'))
  )
order by m.first_seen_at;
