-- A run asks for (status 'requested') or does without (status 'not_asked', with why) an approver's
-- decision on its month's draft report.
insert into ispeed.meta_report_approval (month, run_id, status, why_not_asked, pdf_path, pdf_sha256, approvers,
                                         deadline, link)
values (%(month)s, %(run_id)s, %(status)s, %(why_not_asked)s, %(pdf_path)s, %(pdf_sha256)s, %(approvers)s,
        %(deadline)s, %(link)s)
returning approval_id;
