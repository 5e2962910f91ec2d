-- The reply of a message for a purpose, claimed before its mail leaves: one per message and purpose,
-- whatever the sender does. A claim whose mail failed may be taken again by the next pull.
insert into ispeed.meta_mail_reply (message_id, purpose, recipients, subject, reply_message_id, status, details)
values (%(message_id)s, %(purpose)s, %(recipients)s, %(subject)s, %(reply_message_id)s, %(status)s, %(details)s)
on conflict (message_id, purpose) do update
  set status = excluded.status, recipients = excluded.recipients, subject = excluded.subject,
      details = excluded.details, error = null, created_at = now()
  where ispeed.meta_mail_reply.status = 'failed'
returning reply_id;
