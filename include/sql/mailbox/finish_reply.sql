-- What became of a reply's mail.
update ispeed.meta_mail_reply
set status = %(status)s, outbox_path = %(outbox_path)s, error = %(error)s, finished_at = now()
where reply_id = %(reply_id)s;
