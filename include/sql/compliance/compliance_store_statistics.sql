-- The parts of the month's statistics, merged into one row per group (a few hundred rows), into the
-- temporary table month_statistics (compliance_month_statistics.sql). The column list is composed
-- from STATISTICS_COLUMNS (compliance/runner.py) with psycopg2.sql; the rows come from
-- psycopg2.extras.execute_values, one page at a time.
insert into month_statistics ({columns}) values %s
