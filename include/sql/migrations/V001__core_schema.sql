-- V001: the warehouse's core: reference data (dim_*), the file registry and loads (meta_*),
-- staging for i-Speed measurements (stg_*), the measurement facts and the quarantine (fact_*).
-- Layering follows dbt's habit: rows land in stg_ as they came (all text), are typed once in a
-- view, and only rows that pass every rule of the expectation suite reach fact_.

create schema if not exists ispeed;

-- Text key used to match names however they are typed: diacritics dropped (Vietnamese and other
-- Latin letters, precomposed or decomposed), case folded, everything but [a-z0-9] removed.
-- "Tổng công ty Viettel" -> 'tongcongtyviettel', "Q. Hồng Bàng" -> 'qhongbang'.
-- plugins/ispeed/text.py:norm_key is the same function in Python; a test keeps them equal.
create or replace function ispeed.norm_key(t text) returns text
language sql immutable parallel safe strict as $fn$
  select regexp_replace(lower(translate(t,
    'ÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÒÓÔÕÖÙÚÛÜÝàáâãäåçèéêëìíîïòóôõöùúûüýÿĀāĂăĆćČčĎďĐđĒēĚěĨĩĪīİŌōŨũŪūŮůŶŷŸƠơƯưẠạẢảẤấẦầẨẩẪẫẬậẮắẰằẲẳẴẵẶặẸẹẺẻẼẽẾếỀềỂểỄễỆệỈỉỊịỌọỎỏỐốỒồỔổỖỗỘộỚớỜờỞởỠỡỢợỤụỦủỨứỪừỬửỮữỰựỲỳỴỵỶỷỸỹ',
    'aaaaaaceeeeiiiiooooouuuuyaaaaaaceeeeiiiiooooouuuuyyaaaaccccddddeeeeiiiiioouuuuuuyyyoouuaaaaaaaaaaaaaaaaaaaaaaaaeeeeeeeeeeeeeeeeiiiioooooooooooooooooooooooouuuuuuuuuuuuuuyyyyyyyy'
  )), '[^a-z0-9]+', '', 'g')
$fn$;

-- A number as people type it: '45.6', '45,6' (decimal comma), ' 1 234,5 '. NULL when it is not
-- a finite number, so that NaN and Infinity never reach the facts.
create or replace function ispeed.parse_number(t text) returns double precision
language sql immutable parallel safe as $fn$
  select case
    when v is null or v = '' then null
    when v ~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$' then v::double precision
    else null end
  from (select replace(case when t ~ '^\s*[+-]?[0-9 ]*,[0-9]+\s*$' then replace(t, ',', '.') else t end, ' ', '') as v) s
$fn$;

-- A timestamp as the export carries it (ISO 8601). With an offset or 'Z' it is taken as is; a naive one is
-- local time in Viet Nam (Asia/Ho_Chi_Minh), as docs/input-contract.md says. NULL when unreadable.
create or replace function ispeed.parse_timestamp(t text) returns timestamptz
language sql stable parallel safe as $fn$
  select case
    when t is null or btrim(t) = '' then null
    -- ISO 8601 only: PostgreSQL would also read 'yesterday' or '05/10/2024' (as 10 May).
    when btrim(t) !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?\s*(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)?$' then null
    when not pg_input_is_valid(btrim(t), 'timestamp') then null
    when btrim(t) ~ '(Z|z|[+-][0-9]{2}(:?[0-9]{2})?)$' then btrim(t)::timestamptz
    else btrim(t)::timestamp at time zone 'Asia/Ho_Chi_Minh' end
$fn$;

-- Reference data: loaded from include/reference/*.csv by the pipeline on every run.
create table if not exists ispeed.dim_operator (
  operator_code text primary key,
  name_vi       text not null,
  name_en       text not null,
  kind          text not null,          -- mno (own network) / mvno
  display_order int  not null,
  valid_from    date not null,
  valid_to      date
);

create table if not exists ispeed.dim_network_type (
  network_type_code text primary key,
  name              text not null,
  is_mobile         boolean not null,
  display_order     int not null
);

-- Geography is dated: the 2025 reform replaced districts with communes, so a unit carries the
-- period in which it existed and a measurement is matched to the unit valid on its date.
create table if not exists ispeed.dim_area (
  area_code     text not null,
  name_vi       text not null,
  level         text not null,          -- quan / huyen / phuong / xa / thi_tran / thanh_pho
  province_code text not null,
  valid_from    date not null,
  valid_to      date,
  primary key (area_code, valid_from)
);

-- Every spelling that resolves to a code. kind: operator / network_type / area / province.
create table if not exists ispeed.dim_alias (
  kind       text not null,
  alias_key  text not null,            -- ispeed.norm_key(alias)
  code       text not null,
  alias      text not null,
  valid_from date not null default '1900-01-01',
  valid_to   date,
  primary key (kind, alias_key, valid_from)
);

-- Migrations applied, for the runner in plugins/ispeed/migrations.py.
create table if not exists ispeed.meta_schema_migration (
  version    int primary key,
  name       text not null,
  checksum   text not null,
  applied_at timestamptz not null default now()
);

-- One row per load (one dataset, one month, one run).
create table if not exists ispeed.meta_load (
  load_id      bigserial primary key,
  dataset      text not null,           -- measurements / agency_returns / operator_returns
  month        date not null,
  run_id       text,
  started_at   timestamptz not null default now(),
  finished_at  timestamptz,
  status       text not null default 'running',  -- running / succeeded / failed
  files_seen   int not null default 0,
  rows_read    bigint not null default 0,
  rows_loaded  bigint not null default 0,
  rows_quarantined bigint not null default 0,
  rows_duplicate   bigint not null default 0,
  validation   jsonb,                   -- Great Expectations' result for this load
  error        text
);

-- Every file the pipeline has looked at.
create table if not exists ispeed.meta_file (
  file_id      bigserial primary key,
  dataset      text not null,
  month        date not null,
  file_name    text not null,
  source_path  text not null,
  archive_path text,
  size_bytes   bigint not null,
  sha256       text not null,
  format       text,                    -- csv / jsonl / xlsx
  header_map   jsonb,                   -- source column -> canonical column
  status       text not null,           -- loaded / rejected / duplicate_file
  error        text,
  rows_read    bigint not null default 0,
  rows_loaded  bigint not null default 0,
  rows_quarantined bigint not null default 0,
  rows_duplicate   bigint not null default 0,
  load_id      bigint references ispeed.meta_load(load_id),
  registered_at timestamptz not null default now()
);
create unique index if not exists meta_file_loaded_once
  on ispeed.meta_file (dataset, sha256) where status = 'loaded';
create index if not exists meta_file_month on ispeed.meta_file (dataset, month);

-- Staging: the rows of one load as read, all text, one partition per load so that a load's rows
-- are dropped in one statement. Unlogged: staging is rebuilt from the files if the server crashes.
create table if not exists ispeed.stg_measurement (
  load_id        bigint not null,
  file_id        bigint not null,
  line_no        bigint not null,
  measurement_id text,
  measured_at    text,
  operator       text,
  network_type   text,
  download_mbps  text,
  upload_mbps    text,
  latency_ms     text,
  jitter_ms      text,
  province       text,
  district       text,
  latitude       text,
  longitude      text,
  device_id      text,
  platform       text,
  parse_error    text
) partition by list (load_id);

-- Facts: one row per i-Speed measurement that passed validation, one partition per month.
create table if not exists ispeed.fact_measurement (
  month             date not null,
  measurement_id    text not null,
  measured_at       timestamptz not null,
  operator_code     text not null,
  network_type_code text not null,
  area_code         text not null,
  download_mbps     double precision not null,
  upload_mbps       double precision not null,
  latency_ms        double precision not null,
  jitter_ms         double precision,
  latitude          double precision,
  longitude         double precision,
  device_id         text,
  platform          text,
  file_id           bigint not null,
  source_line       bigint not null,
  load_id           bigint not null,
  primary key (month, measurement_id)
) partition by list (month);

-- Rows that failed a rule, with the rule, the column and the row exactly as read.
create table if not exists ispeed.fact_quarantine (
  quarantine_id bigserial,
  dataset      text not null,
  month        date not null,
  file_id      bigint not null,
  line_no      bigint not null,
  column_name  text,
  rule         text not null,
  failed_rules text[] not null,
  message      text not null,
  raw_row      jsonb not null,
  load_id      bigint not null,
  primary key (quarantine_id)
);
create index if not exists fact_quarantine_month on ispeed.fact_quarantine (dataset, month);

