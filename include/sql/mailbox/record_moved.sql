-- The message is in its folder now: filed once and for all.
update ispeed.meta_mail_message set folder = %(folder)s, moved_at = now() where message_id = %(message_id)s;
