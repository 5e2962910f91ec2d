-- A message taken from the mailbox: its sender, date, subject and what became of it. A held message
-- released by a data engineer is recorded again (status released, who and when).
insert into ispeed.meta_mail_message (message_id, from_address, from_name, subject, sent_at, status,
                                      sender_codes, returns_for, folder, error, released_by, released_at)
values (%(message_id)s, %(from_address)s, %(from_name)s, %(subject)s, %(sent_at)s, %(status)s,
        %(sender_codes)s, %(returns_for)s, %(folder)s, %(error)s, %(released_by)s,
        case when %(released_by)s::text is not null then now() end)
on conflict (message_id) do update
  set status = excluded.status, folder = excluded.folder, returns_for = excluded.returns_for,
      error = excluded.error, released_by = excluded.released_by, released_at = excluded.released_at,
      moved_at = null;
