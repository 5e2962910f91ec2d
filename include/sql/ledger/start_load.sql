-- One load of a month of one dataset (measurements, agency_returns, operator_returns): its
-- row in the ledger, running until finish_load.sql or fail_load.sql.
insert into ispeed.meta_load (dataset, month, run_id) values (%(dataset)s, %(month)s, %(run_id)s)
returning load_id;
