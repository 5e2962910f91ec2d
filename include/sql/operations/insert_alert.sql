-- One alert to the data engineers, after the mail was handed to the server (or the outbox), or
-- failed. An alert limited to once per period (dedup_key) is claimed first with claim_alert.sql.
insert into ispeed.meta_alert (kind, dedup_key, month, dag_id, task_id, run_id, try_number, recipients, subject,
                               message_id, status, outbox_path, error, details, finished_at)
values (%(kind)s, %(dedup_key)s, %(month)s, %(dag_id)s, %(task_id)s, %(run_id)s, %(try_number)s, %(recipients)s,
        %(subject)s, %(message_id)s, %(status)s, %(outbox_path)s, %(error)s, %(details)s::jsonb, now())
returning alert_id;
