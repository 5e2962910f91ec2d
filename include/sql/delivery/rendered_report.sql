-- A rendered PDF of a month: one row per distinct PDF (month, sha256); rendering the same bytes
-- again refreshes where it is and which run made it.
insert into ispeed.meta_report (month, pdf_sha256, pdf_path, xlsx_path, xlsx_sha256, pages, content_fingerprint, run_id)
values (%(month)s, %(pdf_sha256)s, %(pdf_path)s, %(xlsx_path)s, %(xlsx_sha256)s, %(pages)s, %(fingerprint)s, %(run_id)s)
on conflict (month, pdf_sha256) do update
   set pdf_path = excluded.pdf_path, xlsx_path = excluded.xlsx_path, xlsx_sha256 = excluded.xlsx_sha256,
       pages = excluded.pages, content_fingerprint = excluded.content_fingerprint,
       run_id = coalesce(excluded.run_id, ispeed.meta_report.run_id), last_rendered_at = now()
returning report_id;
