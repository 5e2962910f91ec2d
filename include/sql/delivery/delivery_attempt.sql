-- One delivery attempt, recorded before anything leaves (status 'sending'), or after the fact for
-- the outcomes that send nothing ('skipped', 'written_to_outbox').
insert into ispeed.meta_delivery (month, run_id, sequence, attempt, mode, status, message_id, sender, recipients, cc,
                                  subject, pdf_sha256, xlsx_sha256, forced, outbox_path)
values (%(month)s, %(run_id)s, %(sequence)s, %(attempt)s, %(mode)s, %(status)s, %(message_id)s, %(sender)s,
        %(recipients)s, %(cc)s, %(subject)s, %(pdf_sha256)s, %(xlsx_sha256)s, %(forced)s, %(outbox_path)s)
returning delivery_id, attempted_at;
