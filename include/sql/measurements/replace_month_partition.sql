-- The table built by build_month_facts.sql (its primary key built in one pass) becomes the month's
-- partition of the facts: the month's former partition (empty, or the month being reloaded) is
-- dropped and the new one attached; its CHECK (month = ...) spares the attach a scan. Run last in
-- the load's transaction: dropping a partition waits for, and then holds off, every reader of the
-- facts until the commit. A statement sees the old month or the new one, never a mix; so does the
-- compliance run, whose snapshot spans many statements, through the month's advisory lock
-- (plugins/ispeed/measurements/facts.py, swap_partition).
drop table if exists {partition};
alter table {built} rename to {partition_name};
alter table ispeed.fact_measurement attach partition {partition} for values in (%(month)s);
