-- A signed PDF of a month: a row of its own in meta_report (its own sha256), with its signer and
-- the draft it was made from; signing the same bytes again refreshes where it is.
insert into ispeed.meta_report (month, pdf_sha256, pdf_path, xlsx_path, xlsx_sha256, pages, content_fingerprint, run_id,
                                signed_by, signed_at, draft_sha256)
values (%(month)s, %(pdf_sha256)s, %(pdf_path)s, %(xlsx_path)s, %(xlsx_sha256)s, %(pages)s, %(fingerprint)s, %(run_id)s,
        %(signed_by)s, %(signed_at)s, %(draft_sha256)s)
on conflict (month, pdf_sha256) do update
   set pdf_path = excluded.pdf_path, run_id = coalesce(excluded.run_id, ispeed.meta_report.run_id),
       signed_by = excluded.signed_by, signed_at = excluded.signed_at, draft_sha256 = excluded.draft_sha256,
       last_rendered_at = now()
returning report_id;
