-- The archived copies of the month's loaded files, in the order they were loaded: a reload reads
-- them again with the files that have landed since.
select archive_path
from ispeed.meta_file
where dataset = %(dataset)s and month = %(month)s and status = 'loaded' and archive_path is not null
order by file_id;
