-- A part of the statistics joins the month's snapshot (exported by compliance_export_snapshot.sql),
-- so that every part groups the same tests. Before the part's first query. Parameters: snapshot.
set transaction snapshot %(snapshot)s
