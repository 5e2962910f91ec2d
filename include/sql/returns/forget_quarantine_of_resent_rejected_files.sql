-- A rejected file sent again unchanged is checked again (the reference data may have been fixed
-- since); the quarantined rows of its earlier copies go, so that each problem is listed once and
-- a file accepted now leaves no stale problems behind.
delete from ispeed.fact_quarantine q
using ispeed.meta_file f
where q.file_id = f.file_id
  and f.dataset = %(dataset)s and f.month = %(month)s and f.status = 'rejected'
  and f.load_id <> %(load_id)s
  and f.sha256 = any(%(sha256s)s);
