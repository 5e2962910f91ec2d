-- A message already taken from the mailbox (by its Message-ID): what became of it and where it went.
select message_id, status, folder, moved_at
from ispeed.meta_mail_message
where message_id = %(message_id)s;
