-- A month reloaded from its files: the files of its earlier loads are marked replaced (the reload
-- registers again those it reads from the archive).
update ispeed.meta_file set status = 'replaced'
where dataset = %(dataset)s and month = %(month)s and status in ('loaded', 'duplicate_file');
