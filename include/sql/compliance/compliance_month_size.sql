-- How many tests the month holds, as PostgreSQL last counted them: the reltuples of the month's
-- partition of ispeed.fact_measurement, which the VACUUM (ANALYZE) after each load sets. The
-- runner sizes the statistics' memory (work_mem) by it; -1 when unknown (no partition, or never
-- analysed). Parameters: partition (ispeed.fact_measurement_YYYY_MM).
select coalesce((select c.reltuples from pg_class c where c.oid = to_regclass(%(partition)s)), -1)::bigint
