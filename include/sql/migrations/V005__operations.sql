-- V005: operations (issue 6; docs/operations.md). What the monitoring and alerting did, kept
-- forever so that "who was told what, when, and did the mail leave?" has an answer.
--
-- meta_alert: every alert to the data engineers: a task that failed (the failure callback of every
--   task), the report not delivered by its deadline. A deadline alert goes out at most once per
--   month and day: dedup_key is unique among the alerts that were not 'failed'.
-- meta_reminder: every reminder (đôn đốc): to an agency or operator whose return is missing or
--   was rejected, to the data engineers when a month has too few measurements. At most one per
--   month, kind, recipient and day: the row is claimed (status 'sending') before the mail leaves,
--   so two monitoring runs of the same day cannot both send.
-- meta_run_summary: the one-screen summary of every run of the monthly DAG (task summarize_run).

create table if not exists ispeed.meta_alert (
  alert_id      bigserial primary key,
  kind          text not null,              -- task_failure / report_deadline
  dedup_key     text,                       -- report_deadline: 'YYYY-MM:<local day>'; null: no limit
  month         date,                       -- the reporting month the alert is about (when known)
  dag_id        text,
  task_id       text,
  run_id        text,
  try_number    int,
  recipients    text[] not null default '{}',
  subject       text,
  message_id    text,
  status        text not null,              -- sending / sent / written_to_outbox / failed
  outbox_path   text,
  error         text,                       -- why the mail could not be sent (not the task's error)
  details       jsonb not null default '{}',  -- what the mail said: the task's error, the log link, ...
  created_at    timestamptz not null default now(),
  finished_at   timestamptz,
  check (status in ('sending', 'sent', 'written_to_outbox', 'failed'))
);
create index if not exists meta_alert_month on ispeed.meta_alert (month, kind);
create unique index if not exists meta_alert_once
  on ispeed.meta_alert (kind, dedup_key) where dedup_key is not null and status <> 'failed';

create table if not exists ispeed.meta_reminder (
  reminder_id    bigserial primary key,
  month          date not null,             -- the month whose data or return is missing
  kind           text not null,             -- agency_return / operator_return / data_engineers
  recipient_code text not null,             -- agency_code / operator_code / 'data_engineers'
  recipient_name text,
  sent_on        date not null,             -- the day (Asia/Ho_Chi_Minh) it is for: one per day
  email          text[] not null default '{}',  -- the addresses (empty: no address known)
  reason         text not null,             -- missing / rejected; data_engineers: too_few_measurements and/or returns_outstanding
  status         text not null,             -- sending / sent / written_to_outbox / failed / no_address
  subject        text,
  message_id     text,
  outbox_path    text,
  error          text,                      -- why the mail could not be sent
  details        jsonb not null default '{}',  -- what the reminder said (the rejection, the counts)
  attempts       int not null default 1,
  created_at     timestamptz not null default now(),
  finished_at    timestamptz,
  unique (month, kind, recipient_code, sent_on),
  check (kind in ('agency_return', 'operator_return', 'data_engineers')),
  check (status in ('sending', 'sent', 'written_to_outbox', 'failed', 'no_address'))
);
create index if not exists meta_reminder_sent_on on ispeed.meta_reminder (sent_on);

create table if not exists ispeed.meta_run_summary (
  run_id     text not null,
  month      date not null,
  dag_id     text,
  summary    jsonb not null,
  text       text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (run_id, month)
);
create index if not exists meta_run_summary_month on ispeed.meta_run_summary (month, created_at);
