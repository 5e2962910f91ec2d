-- The staging tables and line sequences of loads that are no longer running (a crashed worker
-- leaves them), by their names (staging.py, Staging): relkind 'S' is a sequence. A load still marked
-- running after two days is dead too.
select c.relname, c.relkind
from pg_class c
join pg_namespace n on n.oid = c.relnamespace
join ispeed.meta_load l on c.relname in ('stg_measurement_l' || l.load_id, 'stg_measurement_checked_l' || l.load_id,
                                         'stg_measurement_names_l' || l.load_id,
                                         'stg_measurement_kept_l' || l.load_id,
                                         'stg_measurement_l' || l.load_id || '_line')
where n.nspname = 'ispeed' and (l.status <> 'running' or l.started_at < now() - interval '2 days');
