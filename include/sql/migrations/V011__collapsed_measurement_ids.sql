-- V011: measurement ids that collapsed into one, and one export in two months' folders (issue 14,
-- items 4 and 5; docs/corrections.md).
--
-- ispeed.fact_measurement_collapsed: every row that passed the rules but was not loaded because its
-- measurement_id was already kept, once per row: which row was kept instead (kept_file_id,
-- kept_line), and the columns whose values differ (empty: an exact duplicate; otherwise a
-- conflict, such as a corrected re-export). settled_by says which policy chose the kept row:
-- 'first_kept' (a load without reload: the value already in the month stays, the conflict is
-- reported) or 'newest_file' (a reload: the newest file's value wins).
create table if not exists ispeed.fact_measurement_collapsed (
  month          date not null,
  measurement_id text not null,
  file_id        bigint not null,   -- the row not loaded
  line_no        bigint not null,
  kept_file_id   bigint not null,   -- the row kept in ispeed.fact_measurement
  kept_line      bigint not null,
  differs        text[] not null,   -- the columns whose values differ; empty for an exact duplicate
  settled_by     text not null check (settled_by in ('first_kept', 'newest_file')),
  load_id        bigint not null
);
create index if not exists fact_measurement_collapsed_month on ispeed.fact_measurement_collapsed (month);
create index if not exists fact_measurement_collapsed_load on ispeed.fact_measurement_collapsed (load_id);

-- A file may be loaded once per month: an i-Speed export that spans a month's end is put in both
-- months' folders, and each month loads its own rows from it.
drop index if exists ispeed.meta_file_loaded_once;
create unique index if not exists meta_file_loaded_once_a_month
  on ispeed.meta_file (dataset, month, sha256) where status = 'loaded';
