-- The rows of rejected returns, each with the rules it breaks, the first wrong cell ("E7") and
-- what is wrong in words for the official (psycopg2 execute_values).
insert into ispeed.fact_quarantine
  (dataset, month, file_id, line_no, column_name, rule, failed_rules, message, raw_row, load_id)
values %s;
