-- V014: the facts' measurement ids compared byte by byte (COLLATE "C"), as the load's checked ids
-- already are (check_staged_measurements.sql). The pipeline only tests ids for equality (no report
-- orders by them), and the month's primary key (month, measurement_id) sorts the month by them on
-- every first load or reload: under the database's default collation (a libc locale, even C.UTF-8)
-- each comparison goes through strcoll and PostgreSQL cannot shorten the keys, so building the key
-- of a million rows took 1.3-1.4 s on one core against 0.7-1.0 s in "C" (docs/performance.md). Equal ids stay
-- equal and distinct ids distinct (every collation here is deterministic). No row is rewritten:
-- each month's primary key is rebuilt, about 0.6 s per million facts.
alter table ispeed.fact_measurement alter column measurement_id type text collate "C";
