-- V016: returns that arrive by mail (issue 25; docs/mailbox.md).
--
-- meta_mail_message: every message the pull took from the Department's mailbox, keyed by its
--   Message-ID (a message without one gets '<sha256-of-its-bytes@ispeed.invalid>'), so that a
--   message is filed once however often it is seen (a crash before it was moved, a copy dragged
--   back into the inbox). Its sender address, date and subject; what became of it (status); the
--   folder it was moved to and when (moved_at null: filed but not moved yet, a crash between).
-- meta_mail_file: every file a message held, stored in the landing folder of its kind and month
--   (the kind and month read from the file itself), with its sha256: registered in the same
--   transaction as the message, before the message is moved.
-- meta_mail_reply: the one reply per message and purpose (outcome / unregistered / problem /
--   released), claimed before the mail leaves: nothing a sender does makes a second one.
-- meta_file gains the message a file came from (set once the file's load registered it).
-- dim_operator gains contact_email (operators.csv), which replaces operations.yaml's
--   operator_contacts: the addresses an operator may send its return from, and where reminders go.

alter table ispeed.meta_file
  add column if not exists mail_message_id text,
  add column if not exists mail_from       text,
  add column if not exists mail_date       timestamptz,
  add column if not exists mail_subject    text;
comment on column ispeed.meta_file.mail_message_id is 'The Message-ID of the mail the file came in (null: saved into the landing folder by hand).';
create index if not exists meta_file_mail_message on ispeed.meta_file (mail_message_id) where mail_message_id is not null;

alter table ispeed.dim_operator add column if not exists contact_email text;
comment on column ispeed.dim_operator.contact_email is 'Registered addresses of the operator (several separated by ;), from operators.csv.';

create table if not exists ispeed.meta_mail_message (
  message_id    text primary key,
  from_address  text,                       -- lower case, bare address
  from_name     text,
  subject       text,
  sent_at       timestamptz,                -- the Date header (else the server's INTERNALDATE)
  first_seen_at timestamptz not null default now(),
  status        text not null,              -- filed / no_return / held / problem / released
  sender_codes  text[] not null default '{}',  -- who the address is registered for
  returns_for   text[] not null default '{}',  -- who the message's returns name
  folder        text,                       -- where it was moved (processed / review / problem folder)
  moved_at      timestamptz,
  error         text,                       -- why held or a problem, for the data engineers
  released_by   text,
  released_at   timestamptz,
  check (status in ('filed', 'no_return', 'held', 'problem', 'released'))
);
create index if not exists meta_mail_message_from on ispeed.meta_mail_message (from_address);

create table if not exists ispeed.meta_mail_file (
  mail_file_id  bigserial primary key,
  message_id    text not null references ispeed.meta_mail_message(message_id),
  file_name     text not null,              -- as the sender named it (decoded)
  stored_path   text,                       -- where it was put (null: refused)
  dataset       text,                       -- agency_returns / operator_returns
  month         date,
  sha256        text,
  size_bytes    bigint,
  refused       text,                       -- why it was not stored (too large, a zip bomb, not a spreadsheet)
  unique (message_id, file_name, sha256)
);
create index if not exists meta_mail_file_path on ispeed.meta_mail_file (stored_path);

create table if not exists ispeed.meta_mail_reply (
  reply_id      bigserial primary key,
  message_id    text not null references ispeed.meta_mail_message(message_id),
  purpose       text not null,              -- outcome / unregistered / problem / released
  recipients    text[] not null default '{}',
  subject       text,
  reply_message_id text,
  status        text not null,              -- sending / sent / written_to_outbox / failed / not_sent
  outbox_path   text,
  error         text,
  details       jsonb not null default '{}',  -- each file's outcome, as the reply told it
  created_at    timestamptz not null default now(),
  finished_at   timestamptz,
  unique (message_id, purpose),
  check (status in ('sending', 'sent', 'written_to_outbox', 'failed', 'not_sent'))
);
