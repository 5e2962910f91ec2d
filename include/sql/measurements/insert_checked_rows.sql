-- One part of the load's rows, typed and checked (check_staged_measurements.sql, the query), into the
-- load's checked table. The parts run side by side, each on a connection of its own and each on
-- one core (no parallel workers: the parts are the parallelism; the fences of the query keep
-- PostgreSQL's own parallel plan to its first step).
set local max_parallel_workers_per_gather = 0;
insert into {checked} {query};
