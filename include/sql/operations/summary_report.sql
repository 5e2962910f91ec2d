-- The month's newest rendered report.
select report_id, pdf_path, pdf_sha256, pages, content_fingerprint, run_id, last_rendered_at
from ispeed.meta_report
where month = %(month)s
order by last_rendered_at desc, report_id desc
limit 1;
