-- The month's newest rendered report: what `python -m ispeed deliver` sends (null when the month
-- was never rendered).
select report_id, pdf_path, pdf_sha256, xlsx_path, xlsx_sha256, pages, content_fingerprint, run_id, last_rendered_at
from ispeed.meta_report
where month = %(month)s
order by last_rendered_at desc, report_id desc
limit 1;
