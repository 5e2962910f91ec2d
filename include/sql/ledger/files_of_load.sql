-- The files a load registered, to archive or set aside after the commit.
select file_id, source_path, status from ispeed.meta_file where load_id = %(load_id)s order by file_id;
