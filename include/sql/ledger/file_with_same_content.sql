-- The earliest file of the dataset, in any month, whose content (sha256) has one of the statuses
-- that make a file with the same content a duplicate (ispeed.warehouse.ledger, ALREADY_LOADED).
select file_id, file_name, month
from ispeed.meta_file
where dataset = %(dataset)s and sha256 = %(sha256)s and status = any(%(statuses)s)
order by file_id
limit 1;
