-- A month reloaded from its files: its quarantined rows go first, in the same transaction, and its
-- files are marked replaced. Its facts are not deleted row by row: the load builds the month's
-- partition anew and drops the old one (build_month_facts.sql, replace_month_partition.sql).
delete from ispeed.fact_quarantine where dataset = 'measurements' and month = %(month)s;
update ispeed.meta_file set status = 'replaced'
 where dataset = 'measurements' and month = %(month)s and status in ('loaded', 'duplicate_file');
