-- Where the server's time went since reset_statement_statistics.sql: the current database's
-- statements by total execution time (the leader's wall clock; parallel workers' time is inside
-- it), each with its calls, rows, share of the whole, and what it wrote to temporary files (a sort or
-- hash that did not fit in work_mem spilled: 0 for the statistics' hashes). Parameters: top (the
-- number kept).
select s.calls, round(s.total_exec_time)::bigint as ms, s.rows,
       round(100 * s.total_exec_time / nullif(sum(s.total_exec_time) over (), 0))::int as percent,
       round(s.temp_blks_written * current_setting('block_size')::numeric / 1048576, 1) as temp_mib,
       s.query
from pg_stat_statements s
where s.dbid = (select oid from pg_database where datname = current_database())
order by s.total_exec_time desc
limit %(top)s
