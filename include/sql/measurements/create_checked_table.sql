-- The load's checked rows' table, empty, with the columns of check_staged_measurements.sql (the query):
-- insert_checked_rows.sql fills it, a part of the staging partition at a time.
create unlogged table {checked} as {query} with no data;
