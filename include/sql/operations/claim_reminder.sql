-- Claim today's reminder to one recipient before its mail leaves (status 'sending'), or record
-- that there is no address to send it to ('no_address'). At most one per month, kind, recipient
-- and day: no row back means it was sent (or is being sent, or had no address) already today. A
-- reminder that 'failed' earlier today is claimed again (attempts + 1).
insert into ispeed.meta_reminder (month, kind, recipient_code, recipient_name, sent_on, email, reason, status,
                                  subject, message_id, details)
values (%(month)s, %(kind)s, %(recipient_code)s, %(recipient_name)s, %(sent_on)s, %(email)s, %(reason)s, %(status)s,
        %(subject)s, %(message_id)s, %(details)s::jsonb)
on conflict (month, kind, recipient_code, sent_on) do update
   set status = excluded.status, email = excluded.email, reason = excluded.reason, subject = excluded.subject,
       message_id = excluded.message_id, details = excluded.details, error = null,
       attempts = ispeed.meta_reminder.attempts + 1, created_at = now(), finished_at = null
 where ispeed.meta_reminder.status = 'failed'
returning reminder_id;
