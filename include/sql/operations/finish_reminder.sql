-- The outcome of a claimed reminder: sent / written_to_outbox / failed.
update ispeed.meta_reminder
   set status = %(status)s, message_id = %(message_id)s, outbox_path = %(outbox_path)s, error = %(error)s,
       finished_at = now()
 where reminder_id = %(reminder_id)s
returning reminder_id;
