-- One load of a month's returns of one kind (dataset agency_returns / operator_returns).
insert into ispeed.meta_load (dataset, month, run_id) values (%(dataset)s, %(month)s, %(run_id)s)
returning load_id;
