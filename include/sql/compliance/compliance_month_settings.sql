-- The settings of the month's transaction and of each part's, for the transaction only.
-- Memory for each sort of the month's tests: a million tests sort in memory instead of spilling to
-- disk (PostgreSQL's default is 4MB). Parameters: work_mem (e.g. 256MB).
select set_config('work_mem', %(work_mem)s, true);
-- Sums in double precision depend on the order rows are added in; a serial plan adds them in the
-- partition's order, so a recomputed month gives identical numbers.
set local max_parallel_workers_per_gather = 0;
