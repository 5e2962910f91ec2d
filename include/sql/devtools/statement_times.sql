-- Where the server's time went since reset_statement_statistics.sql: the current database's
-- statements by total execution time (the leader's wall clock; parallel workers' time is inside
-- it), each with its calls, rows and share of the whole. Parameters: top (the number kept).
select s.calls, round(s.total_exec_time)::bigint as ms, s.rows,
       round(100 * s.total_exec_time / nullif(sum(s.total_exec_time) over (), 0))::int as percent,
       s.query
from pg_stat_statements s
where s.dbid = (select oid from pg_database where datname = current_database())
order by s.total_exec_time desc
limit %(top)s
