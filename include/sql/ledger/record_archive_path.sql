-- Where a file is after its load (archive/ or rejected/; for a file reloaded from the archive, where
-- it already was).
update ispeed.meta_file set archive_path = %(archive_path)s where file_id = %(file_id)s;
