-- A file of a message: stored in the landing folder of its kind and month (or refused, and why).
insert into ispeed.meta_mail_file (message_id, file_name, stored_path, dataset, month, sha256, size_bytes, refused)
values (%(message_id)s, %(file_name)s, %(stored_path)s, %(dataset)s, %(month)s, %(sha256)s, %(size_bytes)s,
        %(refused)s)
on conflict (message_id, file_name, sha256) do nothing;
