-- A month reloaded from its files: its quarantined rows go first, in the same transaction (the
-- ledger marks its files replaced: ledger/replace_files_of_month.sql). Its facts are not deleted
-- row by row: the load builds the month's partition anew and drops the old one
-- (build_month_facts.sql, replace_month_partition.sql).
delete from ispeed.fact_quarantine where dataset = 'measurements' and month = %(month)s;
