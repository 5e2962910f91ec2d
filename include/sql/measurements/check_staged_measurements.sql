-- The rows of one load typed once, each with the list of rules it breaks (in the suite's order):
-- the query that fills the load's checked table (create_checked_table.sql, insert_checked_rows.sql), for the rows
-- of the staging partition's pages from %(from_tid)s to %(to_tid)s (staging.py splits the
-- partition's pages into parts, each checked on a connection of its own, side by side).
-- Numbers and times are parsed; names are resolved through dim_alias on the measurement's date
-- (a district before 2025-07-01, a commune, ward or special zone after it: docs/geography.md).
-- A value that does not parse or resolve becomes NULL, and the rules say which rule that breaks.
-- Names are matched through {names} (collect_staged_spellings.sql):
-- normalised once per distinct spelling, not once per row.
-- The row as read (for the quarantine) is kept as raw_row for the failing rows only (NULL for the
-- rest), so that the quarantine reads this table alone.
-- The decimal mark is decided per file, from the file (issue 14): a speed or latency cell such as
-- '45,6' (a comma, then other than three digits) shows a decimal comma, '105.64' a decimal point.
-- In a file of decimal commas only, '1.234' is 1234 ('1.234,5' is 1234.5); in a file of decimal
-- points only, '1,234' is 1234 ('1,234.5' is 1234.5). Where the file shows both or neither, a cell
-- of the shape '1.234' or '1,234' cannot be read either way: it is NULL, and the rule
-- decimal_mark_decided quarantines its row. The file's mark is noted in meta_file.header_map
-- (decimal_mark). Latitude and longitude (often three decimals) keep ispeed.parse_number.
-- (Braces of the regular expressions are doubled: compose_sql fills {names}.)
-- Ids that Excel rounded ('1.23457E+11') are flagged for the rule measurement_id_not_rounded.
with marks as (
  select n.code::bigint as file_id, n.v as mark from {names} n where n.kind = 'decimal_mark'
), parsed as (
  select s.*,
         ispeed.parse_timestamp(s.measured_at)  as measured_ts,
         case when s.download_mbps is null then null
              when m.mark = 'comma' and strpos(s.download_mbps, '.') > 0
                then case when s.download_mbps ~ '^\s*[+-]?[0-9]{{1,3}}(\.[0-9]{{3}})+(,[0-9]+)?\s*$'
                          then ispeed.parse_number(replace(s.download_mbps, '.', '')) end
              when m.mark = 'point' and strpos(s.download_mbps, ',') > 0
                then case when s.download_mbps ~ '^\s*[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+(\.[0-9]+)?\s*$'
                          then ispeed.parse_number(replace(s.download_mbps, ',', '')) end
              when m.mark in ('both', 'none') and s.download_mbps ~ '^\s*[+-]?[0-9]{{1,3}}[.,][0-9]{{3}}\s*$' then null
              else ispeed.parse_number(s.download_mbps) end as download_n,
         case when s.upload_mbps is null then null
              when m.mark = 'comma' and strpos(s.upload_mbps, '.') > 0
                then case when s.upload_mbps ~ '^\s*[+-]?[0-9]{{1,3}}(\.[0-9]{{3}})+(,[0-9]+)?\s*$'
                          then ispeed.parse_number(replace(s.upload_mbps, '.', '')) end
              when m.mark = 'point' and strpos(s.upload_mbps, ',') > 0
                then case when s.upload_mbps ~ '^\s*[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+(\.[0-9]+)?\s*$'
                          then ispeed.parse_number(replace(s.upload_mbps, ',', '')) end
              when m.mark in ('both', 'none') and s.upload_mbps ~ '^\s*[+-]?[0-9]{{1,3}}[.,][0-9]{{3}}\s*$' then null
              else ispeed.parse_number(s.upload_mbps) end as upload_n,
         case when s.latency_ms is null then null
              when m.mark = 'comma' and strpos(s.latency_ms, '.') > 0
                then case when s.latency_ms ~ '^\s*[+-]?[0-9]{{1,3}}(\.[0-9]{{3}})+(,[0-9]+)?\s*$'
                          then ispeed.parse_number(replace(s.latency_ms, '.', '')) end
              when m.mark = 'point' and strpos(s.latency_ms, ',') > 0
                then case when s.latency_ms ~ '^\s*[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+(\.[0-9]+)?\s*$'
                          then ispeed.parse_number(replace(s.latency_ms, ',', '')) end
              when m.mark in ('both', 'none') and s.latency_ms ~ '^\s*[+-]?[0-9]{{1,3}}[.,][0-9]{{3}}\s*$' then null
              else ispeed.parse_number(s.latency_ms) end as latency_n,
         case when s.jitter_ms is null then null
              when m.mark = 'comma' and strpos(s.jitter_ms, '.') > 0
                then case when s.jitter_ms ~ '^\s*[+-]?[0-9]{{1,3}}(\.[0-9]{{3}})+(,[0-9]+)?\s*$'
                          then ispeed.parse_number(replace(s.jitter_ms, '.', '')) end
              when m.mark = 'point' and strpos(s.jitter_ms, ',') > 0
                then case when s.jitter_ms ~ '^\s*[+-]?[0-9]{{1,3}}(,[0-9]{{3}})+(\.[0-9]+)?\s*$'
                          then ispeed.parse_number(replace(s.jitter_ms, ',', '')) end
              when m.mark in ('both', 'none') and s.jitter_ms ~ '^\s*[+-]?[0-9]{{1,3}}[.,][0-9]{{3}}\s*$' then null
              else ispeed.parse_number(s.jitter_ms) end as jitter_n,
         ispeed.parse_number(s.latitude)        as latitude_n,
         ispeed.parse_number(s.longitude)       as longitude_n,
         case when m.mark in ('both', 'none') then  -- only such a file has ambiguous cells
         nullif(concat_ws(', ', case when s.download_mbps ~ '^\s*[+-]?[0-9]{{1,3}}[.,][0-9]{{3}}\s*$' then 'download_mbps' end,
           case when s.upload_mbps ~ '^\s*[+-]?[0-9]{{1,3}}[.,][0-9]{{3}}\s*$' then 'upload_mbps' end,
           case when s.latency_ms ~ '^\s*[+-]?[0-9]{{1,3}}[.,][0-9]{{3}}\s*$' then 'latency_ms' end,
           case when s.jitter_ms ~ '^\s*[+-]?[0-9]{{1,3}}[.,][0-9]{{3}}\s*$' then 'jitter_ms' end), '') end as ambiguous_numbers,
         (strpos(s.measurement_id, 'E+') > 0 or strpos(s.measurement_id, 'e+') > 0)
           and s.measurement_id ~ '^\s*[0-9]([.,][0-9]+)?[eE]\+[0-9]+\s*$' as id_rounded
  from {partition} s
  join marks m on m.file_id = s.file_id
  where s.ctid >= %(from_tid)s::tid and s.ctid < %(to_tid)s::tid  -- this part's pages
  offset 0  -- computed once per row, not once per use below
), dated as (
  select p.*,
         (p.measured_ts at time zone 'Asia/Ho_Chi_Minh') as local_ts,
         coalesce((p.measured_ts at time zone 'Asia/Ho_Chi_Minh')::date, date '1900-01-01') as on_date
  from parsed p
  offset 0
), typed as (
  select
    d.load_id, d.file_id, d.line_no,
    -- compared byte by byte ("C"): only equality matters, and Great Expectations' uniqueness check
    -- sorts the load by id (0.83 s -> 0.56 s at 1M)
    nullif(btrim(d.measurement_id), '') collate "C" as measurement_id,
    d.measured_ts                                     as measured_at,
    date_trunc('month', d.local_ts)::date             as month,
    case when d.local_ts >= %(month_start)s and d.local_ts < %(next_month)s then %(month_label)s
         else to_char(d.local_ts, 'YYYY-MM') end     as month_label,  -- to_char only for the few outside
    op.code                                           as operator_code,
    nt.code                                           as network_type_code,
    -- the unit named, valid on the test's date; a test whose unit is missing, unknown or not valid
    -- then but whose row names the province counts for the province as %(unassigned)s
    case when ar.code is not null then ar.code
         when pv.code = %(province_code)s then %(unassigned)s end as area_code,
    case when pv.code is not null then pv.code
         when d.province is null or d.province !~ '[^[:space:]\u00a0]' then null
         else '?' end                                 as province_code,  -- a cell of spaces is empty
    d.download_n as download_mbps, d.upload_n as upload_mbps, d.latency_n as latency_ms,
    d.jitter_n as jitter_ms, d.latitude_n as latitude, d.longitude_n as longitude,
    nullif(btrim(d.device_id), '')                    as device_id,
    nullif(lower(btrim(d.platform)), '')              as platform,
    d.parse_error,
    nullif(concat_ws(', ',
      -- the pattern (a cell that is not blank) only where the number did not parse
      case when d.jitter_n is null and d.jitter_ms ~ '[^[:space:]\u00a0]' then 'jitter_ms' end,
      case when d.latitude_n is null and d.latitude ~ '[^[:space:]\u00a0]' then 'latitude' end,
      case when d.longitude_n is null and d.longitude ~ '[^[:space:]\u00a0]' then 'longitude' end), '') as unreadable_optional,
    d.ambiguous_numbers,
    coalesce(d.id_rounded, false)                     as measurement_id_rounded,
    d.measured_ts > %(not_after)s                     as in_future,
    d.measurement_id as r_measurement_id, d.measured_at as r_measured_at, d.operator as r_operator,
    d.network_type as r_network_type, d.download_mbps as r_download_mbps, d.upload_mbps as r_upload_mbps,
    d.latency_ms as r_latency_ms, d.jitter_ms as r_jitter_ms, d.province as r_province, d.district as r_district,
    d.latitude as r_latitude, d.longitude as r_longitude, d.device_id as r_device_id, d.platform as r_platform
  from dated d
  left join {names} op on op.kind = 'operator' and op.v = d.operator
    and d.on_date >= op.valid_from and (op.valid_to is null or d.on_date <= op.valid_to)
  left join {names} nt on nt.kind = 'network_type' and nt.v = d.network_type
    and d.on_date >= nt.valid_from and (nt.valid_to is null or d.on_date <= nt.valid_to)
  left join {names} ar on ar.kind = 'area' and ar.v = d.district
    and d.on_date >= ar.valid_from and (ar.valid_to is null or d.on_date <= ar.valid_to)
  left join {names} pv on pv.kind = 'province' and pv.v = d.province
    and d.on_date >= pv.valid_from and (pv.valid_to is null or d.on_date <= pv.valid_to)
)
select r.load_id, r.file_id, r.line_no, r.measurement_id, r.measured_at, r.month, r.month_label,
       r.operator_code, r.network_type_code, r.area_code, r.province_code, r.download_mbps, r.upload_mbps,
       r.latency_ms, r.jitter_ms, r.latitude, r.longitude, r.device_id, r.platform, r.parse_error,
       r.unreadable_optional, r.ambiguous_numbers, r.measurement_id_rounded, r.in_future, r.failed_rules,
       case when cardinality(r.failed_rules) > 0 then jsonb_strip_nulls(jsonb_build_object(
         'measurement_id', r.r_measurement_id, 'measured_at', r.r_measured_at, 'operator', r.r_operator,
         'network_type', r.r_network_type, 'download_mbps', r.r_download_mbps, 'upload_mbps', r.r_upload_mbps,
         'latency_ms', r.r_latency_ms, 'jitter_ms', r.r_jitter_ms, 'province', r.r_province,
         'district', r.r_district, 'latitude', r.r_latitude, 'longitude', r.r_longitude,
         'device_id', r.r_device_id, 'platform', r.r_platform, 'parse_error', r.parse_error)) end as raw_row
from (select t.*, {failed_rules} as failed_rules from typed t offset 0) r
