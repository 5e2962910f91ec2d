-- A month reloaded from its files: its facts and quarantined rows go first, in the same transaction.
delete from ispeed.fact_measurement where month = %(month)s;
delete from ispeed.fact_quarantine where dataset = 'measurements' and month = %(month)s;
update ispeed.meta_file set status = 'replaced'
 where dataset = 'measurements' and month = %(month)s and status in ('loaded', 'duplicate_file');
