-- The outcome of a claimed alert: sent / written_to_outbox / failed.
update ispeed.meta_alert
   set status = %(status)s, recipients = %(recipients)s, subject = %(subject)s, message_id = %(message_id)s,
       outbox_path = %(outbox_path)s, error = %(error)s, details = %(details)s::jsonb, finished_at = now()
 where alert_id = %(alert_id)s
returning alert_id;
