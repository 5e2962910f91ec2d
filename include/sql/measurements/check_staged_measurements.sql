-- The rows of one load typed once, each with the list of rules it breaks (in the suite's order).
-- Numbers and times are parsed; names are resolved through dim_alias on the measurement's date.
-- A value that does not parse or resolve becomes NULL, and the rules say which rule that breaks.
-- Names are matched through staged_spellings (collect_staged_spellings.sql, same transaction):
-- normalised once per distinct spelling, not once per row.
-- The row as read (for the quarantine) is not copied here: quarantine_failed_measurements.sql
-- takes it from the staging partition for the failing rows only.
create unlogged table {checked} as
with parsed as (
  select s.*,
         ispeed.parse_timestamp(s.measured_at)  as measured_ts,
         ispeed.parse_number(s.download_mbps)   as download_n,
         ispeed.parse_number(s.upload_mbps)     as upload_n,
         ispeed.parse_number(s.latency_ms)      as latency_n,
         ispeed.parse_number(s.jitter_ms)       as jitter_n,
         ispeed.parse_number(s.latitude)        as latitude_n,
         ispeed.parse_number(s.longitude)       as longitude_n
  from {partition} s
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
    nullif(btrim(d.measurement_id), '')              as measurement_id,
    d.measured_ts                                     as measured_at,
    date_trunc('month', d.local_ts)::date             as month,
    case when d.local_ts >= %(month_start)s and d.local_ts < %(next_month)s then %(month_label)s
         else to_char(d.local_ts, 'YYYY-MM') end     as month_label,  -- to_char only for the few outside
    op.code                                           as operator_code,
    nt.code                                           as network_type_code,
    ar.code                                           as area_code,
    case when d.province is null or d.province !~ '[^[:space:]\u00a0]' then null
         else coalesce(pv.code, '?') end             as province_code,  -- a cell of spaces is empty
    d.download_n as download_mbps, d.upload_n as upload_mbps, d.latency_n as latency_ms,
    d.jitter_n as jitter_ms, d.latitude_n as latitude, d.longitude_n as longitude,
    nullif(btrim(d.device_id), '')                    as device_id,
    nullif(lower(btrim(d.platform)), '')              as platform,
    d.parse_error,
    nullif(concat_ws(', ',
      case when d.jitter_ms ~ '[^[:space:]\u00a0]' and d.jitter_n is null then 'jitter_ms' end,
      case when d.latitude  ~ '[^[:space:]\u00a0]' and d.latitude_n  is null then 'latitude' end,
      case when d.longitude ~ '[^[:space:]\u00a0]' and d.longitude_n is null then 'longitude' end), '') as unreadable_optional,
    d.measured_ts > %(not_after)s                     as in_future
  from dated d
  left join staged_spellings so on so.v = d.operator
  left join ispeed.dim_alias op on op.kind = 'operator' and op.alias_key = so.k
    and d.on_date >= op.valid_from and (op.valid_to is null or d.on_date <= op.valid_to)
  left join staged_spellings sn on sn.v = d.network_type
  left join ispeed.dim_alias nt on nt.kind = 'network_type' and nt.alias_key = sn.k
    and d.on_date >= nt.valid_from and (nt.valid_to is null or d.on_date <= nt.valid_to)
  left join staged_spellings sa on sa.v = d.district
  left join ispeed.dim_alias ar on ar.kind = 'area' and ar.alias_key = sa.k
    and d.on_date >= ar.valid_from and (ar.valid_to is null or d.on_date <= ar.valid_to)
  left join staged_spellings sp on sp.v = d.province
  left join ispeed.dim_alias pv on pv.kind = 'province' and pv.alias_key = sp.k
    and d.on_date >= pv.valid_from and (pv.valid_to is null or d.on_date <= pv.valid_to)
)
select t.*, {failed_rules} as failed_rules
from typed t;
