-- V015: the report's approval before it leaves, and its digital signature (issue 24; docs/approval.md).
--
-- meta_report_approval: every time a run decided whether its report may leave, one row per ask:
-- the request (the draft's sha256, the approvers, the deadline), then the decision (who, when,
-- why). A run that did not need to ask (a backfill, a run that does not mail, mode 'automatic')
-- writes one 'not_asked' row with the reason, so that "who let October's report out?" always has
-- an answer.
-- meta_report gains the signature of a signed PDF: its signer (the certificate's subject), when it
-- was signed, and the sha256 of the unsigned draft it was made from.

alter table ispeed.meta_report
  add column if not exists signed_by    text,
  add column if not exists signed_at    timestamptz,
  add column if not exists draft_sha256 text;
comment on column ispeed.meta_report.signed_by is 'The signing certificate''s subject, for a signed (PAdES) PDF; null for a draft.';
comment on column ispeed.meta_report.draft_sha256 is 'The sha256 of the unsigned draft a signed PDF was made from.';

create table if not exists ispeed.meta_report_approval (
  approval_id   bigserial primary key,
  month         date not null,
  run_id        text,
  status        text not null,              -- requested / approved / rejected / timed_out / not_asked
  why_not_asked text,                       -- backfill / automatic / not_sending / already_delivered
  pdf_path      text,                       -- the draft the approver was shown
  pdf_sha256    text,
  approvers     text[] not null default '{}',
  deadline      timestamptz,
  link          text,                       -- the request in the Airflow UI
  requested_at  timestamptz not null default now(),
  decided_by    text,
  decided_at    timestamptz,
  reason        text,                       -- the approver's comment; required words for a rejection
  check (status in ('requested', 'approved', 'rejected', 'timed_out', 'not_asked')),
  check ((status = 'not_asked') = (why_not_asked is not null))
);
create index if not exists meta_report_approval_month on ispeed.meta_report_approval (month, approval_id);
comment on table ispeed.meta_report_approval is
  'Each decision on whether a month''s report may leave: asked of an approver (Airflow human-in-the-loop) or not asked, and why.';
