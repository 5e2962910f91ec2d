-- meta_file records the message each file came in: the files the loads registered from the paths
-- where the pull stored them, with the same content.
update ispeed.meta_file f
set mail_message_id = m.message_id, mail_from = m.from_address, mail_date = m.sent_at, mail_subject = m.subject
from ispeed.meta_mail_file mf
join ispeed.meta_mail_message m using (message_id)
where f.mail_message_id is null
  and f.source_path = mf.stored_path
  and f.sha256 = mf.sha256;
