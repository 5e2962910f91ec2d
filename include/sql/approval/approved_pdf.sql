-- Whether a PDF of the month (by its sha256) may leave: it is the draft an approver approved, or a
-- signed PDF made from such a draft (meta_report.draft_sha256).
select exists (
  select 1
  from ispeed.meta_report_approval as a
  where a.month = %(month)s
    and a.status = 'approved'
    and (a.pdf_sha256 = %(pdf_sha256)s
         or a.pdf_sha256 in (select r.draft_sha256
                             from ispeed.meta_report as r
                             where r.month = %(month)s and r.pdf_sha256 = %(pdf_sha256)s))
) as approved;
