-- The month's snapshot, for the parts of the statistics computed on connections of their own
-- (compliance_month_snapshot.sql): valid while the month's transaction is open.
select pg_export_snapshot()
