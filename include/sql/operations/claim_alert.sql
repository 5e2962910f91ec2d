-- Claim an alert that goes out at most once per dedup_key (the report's deadline: once per month
-- and day) before its mail leaves. No row back: it was sent already (or is being sent) for this key.
-- A 'failed' alert does not count: the next check claims the key again.
insert into ispeed.meta_alert (kind, dedup_key, month, dag_id, task_id, run_id, recipients, subject, message_id,
                               status, details)
values (%(kind)s, %(dedup_key)s, %(month)s, %(dag_id)s, %(task_id)s, %(run_id)s, %(recipients)s, %(subject)s,
        %(message_id)s, 'sending', %(details)s::jsonb)
on conflict (kind, dedup_key) where dedup_key is not null and status <> 'failed' do nothing
returning alert_id;
