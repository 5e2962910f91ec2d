-- A file of the landing folder (or of the archive, for a reload), as the load first sees it; its
-- counts, and its status when it is read, are set by record_file_outcome.sql.
insert into ispeed.meta_file (dataset, month, file_name, source_path, size_bytes, sha256, format, header_map,
                              status, error, load_id)
values (%(dataset)s, %(month)s, %(file_name)s, %(source_path)s, %(size_bytes)s, %(sha256)s, %(format)s,
        %(header_map)s, %(status)s, %(error)s, %(load_id)s)
returning file_id;
