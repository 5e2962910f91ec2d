-- The current database's statement statistics forgotten (other databases' are kept): the benchmark's
-- figures then count its pipeline alone.
select pg_stat_statements_reset(0, (select oid from pg_database where datname = current_database()), 0)
