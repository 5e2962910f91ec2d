-- The earliest file of the dataset whose content (sha256) has one of the statuses that make a file
-- with the same content a duplicate (ispeed.warehouse.ledger, ALREADY_LOADED): in any month, or,
-- with %(month)s, in that month only (an i-Speed export put in two months' folders is read by
-- each month for its own rows: docs/corrections.md).
select file_id, file_name, month
from ispeed.meta_file
where dataset = %(dataset)s and sha256 = %(sha256)s and status = any(%(statuses)s)
  and (%(month)s::date is null or month = %(month)s::date)
order by file_id
limit 1;
