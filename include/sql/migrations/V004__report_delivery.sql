-- V004: the monthly report and its delivery (issue 5; docs/report.md).
-- meta_report: every distinct PDF rendered for a month (by its sha256), where it is and what data
-- it was made from. meta_delivery: every attempt to deliver a month's report, one row per attempt,
-- kept forever: the answer to "was October sent, when, to whom, with which PDF, under which
-- Message-ID?".

create table if not exists ispeed.meta_report (
  report_id        bigserial primary key,
  month            date not null,
  pdf_sha256       text not null,
  pdf_path         text not null,
  xlsx_path        text,
  xlsx_sha256      text,
  pages            int,
  content_fingerprint text not null,      -- sha256 of the ReportData the PDF was rendered from
  run_id           text,                  -- the run that last rendered it
  rendered_at      timestamptz not null default now(),  -- first rendered
  last_rendered_at timestamptz not null default now(),
  unique (month, pdf_sha256)
);

create table if not exists ispeed.meta_delivery (
  delivery_id   bigserial primary key,
  month         date not null,
  run_id        text,
  sequence      int not null,               -- the month's n-th deliberate sending (1; +1 per forced re-send)
  attempt       int not null,               -- attempt at this sequence (retries reuse the Message-ID)
  mode          text not null,              -- smtp / outbox / none (send=False)
  status        text not null,              -- sending / delivered / failed / skipped / written_to_outbox
  message_id    text,                       -- the Message-ID header, <...@domain>
  sender        text,
  recipients    text[] not null default '{}',
  cc            text[] not null default '{}',
  subject       text,
  pdf_sha256    text not null,
  xlsx_sha256   text,
  forced        boolean not null default false,
  outbox_path   text,
  smtp_response text,                       -- what the server answered (refused recipients)
  error         text,
  attempted_at  timestamptz not null default now(),
  delivered_at  timestamptz,
  check (status in ('sending', 'delivered', 'failed', 'skipped', 'written_to_outbox')),
  check (mode in ('smtp', 'outbox', 'none')),
  check ((status = 'delivered') = (delivered_at is not null))
);
create index if not exists meta_delivery_month on ispeed.meta_delivery (month, delivery_id);
-- At most one accepted mail per month and sequence: a second 'delivered' row for the same logical
-- sending cannot be recorded even by a buggy caller.
create unique index if not exists meta_delivery_delivered_once
  on ispeed.meta_delivery (month, sequence) where status = 'delivered';
