-- V002: monthly returns. Agencies send i-Speed tallies (staff, installs, measurements, citizens
-- helped), operators send their 4G/5G sites and investment per district. Both are read from
-- spreadsheets (plugins/ispeed/returns/), validated by a Great Expectations suite, and loaded here.
--
-- A file is a return, accepted or rejected as a whole. Every return read is recorded in
-- meta_return, one row per sender (agency or operator) named in it; the sender's latest return
-- of the month (by file time, then file name) decides its state and its facts:
--   submitted - the latest return was accepted: its rows are the month's facts for the sender;
--   rejected  - the latest return broke a rule: the sender has no facts until it sends a fix;
--   missing   - no return (only in the status functions and views below).

-- The agencies that must report: include/reference/agencies.csv, reloaded on every load.
create table if not exists ispeed.dim_agency (
  agency_code   text not null,
  name_vi       text not null,
  kind          text not null check (kind in ('department', 'district_committee', 'media', 'other')),
  area_code     text,                  -- the district it belongs to; null for city-level agencies
  contact_email text,                  -- where reminders go
  valid_from    date not null,
  valid_to      date,
  primary key (agency_code, valid_from)
);

-- Every spelling that names an agency (its code, its name, the aliases of agencies.csv).
create table if not exists ispeed.dim_agency_alias (
  alias_key   text not null,           -- ispeed.norm_key(alias)
  agency_code text not null,
  alias       text not null,
  valid_from  date not null,
  valid_to    date,
  primary key (alias_key, agency_code, valid_from)
);

-- Every return read: one row per sender named in a file (a file naming nobody known, say an
-- unreadable one, is attributed by its file name when it starts with a sender's code).
create table if not exists ispeed.meta_return (
  dataset      text not null check (dataset in ('agency_returns', 'operator_returns')),
  month        date not null,
  sender_code  text not null,          -- agency_code or operator_code
  file_id      bigint not null references ispeed.meta_file (file_id),
  file_name    text not null,
  file_mtime   timestamptz not null,   -- when the file was last written: the latest return wins
  state        text not null check (state in ('submitted', 'rejected')),
  rows_count   int not null,
  error        text,                   -- why it was rejected, in words for the official
  load_id      bigint not null references ispeed.meta_load (load_id),
  recorded_at  timestamptz not null default now(),
  primary key (dataset, month, sender_code, file_id)
);

-- The latest return of each sender and month: by file time, then file name, then file id.
create or replace view ispeed.v_latest_return as
select distinct on (r.dataset, r.month, r.sender_code) r.*
from ispeed.meta_return r
order by r.dataset, r.month, r.sender_code, r.file_mtime desc, r.file_name desc, r.file_id desc;

-- Staging: the typed rows of the accepted returns of one load, between validation and the facts
-- (emptied in the same transaction).
create unlogged table if not exists ispeed.stg_agency_return (
  load_id            bigint not null,
  file_id            bigint not null,
  source_row         int not null,
  agency_code        text not null,
  staff_total        int not null,
  staff_installed    int not null,
  staff_measured     int not null,
  staff_measurements int not null,
  citizens_helped    int not null,
  cdt_members        int not null,
  note               text
);

create unlogged table if not exists ispeed.stg_operator_return (
  load_id            bigint not null,
  file_id            bigint not null,
  source_row         int not null,
  operator_code      text not null,
  area_code          text not null,
  network_generation text not null,
  sites_in_service   int not null,
  sites_commissioned int not null,
  sites_upgraded     int not null,
  investment_vnd     bigint not null,
  remedy             text,
  remedy_due_date    date,
  note               text
);

-- Facts: the month's figures of each agency that submitted, from its latest return.
create table if not exists ispeed.fact_agency_return (
  month              date not null,
  agency_code        text not null,
  staff_total        int not null check (staff_total >= 0),
  staff_installed    int not null check (staff_installed between 0 and staff_total),
  staff_measured     int not null check (staff_measured between 0 and staff_installed),
  staff_measurements int not null check (staff_measurements >= staff_measured),
  citizens_helped    int not null check (citizens_helped >= 0),
  cdt_members        int not null check (cdt_members >= 0),
  note               text,
  file_id            bigint not null references ispeed.meta_file (file_id),
  source_row         int not null,       -- the spreadsheet row the figures come from
  load_id            bigint not null references ispeed.meta_load (load_id),
  primary key (month, agency_code)
);

-- Facts: per operator, district and network (4G/5G), from the operator's latest return.
create table if not exists ispeed.fact_operator_return (
  month              date not null,
  operator_code      text not null,
  area_code          text not null,
  network_generation text not null check (network_generation in ('4G', '5G')),
  sites_in_service   int not null check (sites_in_service >= 0),
  sites_commissioned int not null check (sites_commissioned between 0 and sites_in_service),
  sites_upgraded     int not null check (sites_upgraded between 0 and sites_in_service),
  investment_vnd     bigint not null check (investment_vnd >= 0),
  remedy             text,               -- for a district below 40 Mbps: the remedy planned
  remedy_due_date    date,
  note               text,
  file_id            bigint not null references ispeed.meta_file (file_id),
  source_row         int not null,
  load_id            bigint not null references ispeed.meta_load (load_id),
  primary key (month, operator_code, area_code, network_generation)
);

-- The state of every agency for a month: those that exist on the month's last day, and any
-- other that sent a return for it. Works for any month, loaded or not (all 'missing' then).
create or replace function ispeed.agency_return_status(p_month date)
returns table (month date, agency_code text, agency_name text, kind text, area_code text, contact_email text,
               state text, file_id bigint, file_name text, received_at timestamptz, error text)
language sql stable as $fn$
  with b as (
    select date_trunc('month', p_month)::date as first_day,
           (date_trunc('month', p_month) + interval '1 month - 1 day')::date as last_day
  ), latest as (
    select l.* from ispeed.v_latest_return l, b
    where l.dataset = 'agency_returns' and l.month = b.first_day
  ), agencies as (
    select distinct on (a.agency_code) a.*
    from ispeed.dim_agency a, b
    where a.valid_from <= b.last_day
      and (a.valid_to is null or a.valid_to >= b.last_day
           or (a.valid_to >= b.first_day and a.agency_code in (select l.sender_code from latest l)))
    order by a.agency_code, a.valid_from desc
  )
  select b.first_day, a.agency_code, a.name_vi, a.kind, a.area_code, a.contact_email,
         coalesce(l.state, 'missing'), l.file_id, l.file_name, l.file_mtime, l.error
  from agencies a
  cross join b
  left join latest l on l.sender_code = a.agency_code
  order by case a.kind when 'department' then 1 when 'other' then 2 when 'district_committee' then 3 else 4 end,
           a.area_code nulls first, a.agency_code
$fn$;

-- The state of every mobile network operator (dim_operator.kind = 'mno') for a month, and of
-- any other operator that sent a return for it.
create or replace function ispeed.operator_return_status(p_month date)
returns table (month date, operator_code text, operator_name text, kind text,
               state text, file_id bigint, file_name text, received_at timestamptz, error text)
language sql stable as $fn$
  with b as (
    select date_trunc('month', p_month)::date as first_day,
           (date_trunc('month', p_month) + interval '1 month - 1 day')::date as last_day
  ), latest as (
    select l.* from ispeed.v_latest_return l, b
    where l.dataset = 'operator_returns' and l.month = b.first_day
  )
  select b.first_day, o.operator_code, o.name_vi, o.kind,
         coalesce(l.state, 'missing'), l.file_id, l.file_name, l.file_mtime, l.error
  from ispeed.dim_operator o
  cross join b
  left join latest l on l.sender_code = o.operator_code
  where (o.kind = 'mno' and o.valid_from <= b.last_day and (o.valid_to is null or o.valid_to >= b.last_day))
     or l.sender_code is not null
  order by o.display_order, o.operator_code
$fn$;

-- The same, for every month a load of the returns has run for.
create or replace view ispeed.v_agency_return_status as
select s.*
from (select distinct l.month from ispeed.meta_load l where l.dataset = 'agency_returns') m
cross join lateral ispeed.agency_return_status(m.month) s;

create or replace view ispeed.v_operator_return_status as
select s.*
from (select distinct l.month from ispeed.meta_load l where l.dataset = 'operator_returns') m
cross join lateral ispeed.operator_return_status(m.month) s;
