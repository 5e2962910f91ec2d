-- The reminders of a month recorded for one day (what the data engineers' digest lists).
select kind, recipient_code, recipient_name, email, reason, status, outbox_path, error, attempts, created_at
from ispeed.meta_reminder
where month = %(month)s and sent_on = %(sent_on)s
order by kind, recipient_code;
