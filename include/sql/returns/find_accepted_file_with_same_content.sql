-- A file whose content (sha256) was accepted before, in any month: sending it again changes
-- nothing, even when a later return has replaced it since.
select file_id, file_name, month
from ispeed.meta_file
where dataset = %(dataset)s and sha256 = %(sha256)s and status in ('loaded', 'replaced')
order by file_id
limit 1;
