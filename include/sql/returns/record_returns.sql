-- Every return read by the load: one row per sender named in a file (psycopg2 execute_values).
insert into ispeed.meta_return
  (dataset, month, sender_code, file_id, file_name, file_mtime, state, rows_count, error, load_id)
values %s;
