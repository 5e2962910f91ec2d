-- Every decision on a month's report, newest first: what `status` lists and what
-- `python -m ispeed approve` answers (the newest 'requested' row is the one waiting).
select approval_id, month, run_id, status, why_not_asked, pdf_path, pdf_sha256, approvers, deadline, link,
       requested_at, decided_by, decided_at, reason
from ispeed.meta_report_approval
where month = %(month)s
order by approval_id desc;
