-- Where a file went after its load (archive/ or rejected/).
update ispeed.meta_file set archive_path = %(archive_path)s where file_id = %(file_id)s;
