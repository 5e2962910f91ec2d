-- The month's statistics per operator and population, for the whole province and per district, in
-- one pass over the month's facts: the temporary table month_statistics, which
-- compliance_by_operator.sql and compliance_by_operator_area.sql turn into verdicts. docs/method.md
-- is the method. Run by plugins/ispeed/compliance.py inside the month's transaction.
-- Parameters: month, threshold, compliance_types (sorted text[]), compliance_label.
--
-- One row per (operator_code, network_type, area_code); area_code is NULL on the province's row.
-- GROUPING SETS computes both levels from one sort of the month (the province's groups are the
-- rollup of the district's), and the device-days of both levels from one more sort.
-- Every read of the facts filters on month, the partition key, so only the month's partition is read.
create temp table month_scope on commit drop as
-- The populations: each network type on its own, and the compliance network types together (an
-- extra population only when there are several of them).
select n.network_type_code as network_type, array[n.network_type_code] as members,
       array[n.network_type_code] = %(compliance_types)s::text[] as in_compliance_scope
from ispeed.dim_network_type n
union all
select %(compliance_label)s::text, %(compliance_types)s::text[], true
where cardinality(%(compliance_types)s::text[]) > 1;

create temp table month_membership on commit drop as
-- Which populations a test belongs to (a plain equality, so that the facts join it by hash).
select m.network_type_code, s.network_type
from month_scope s cross join unnest(s.members) as m(network_type_code);
analyze month_membership;

create temp view month_tests as
-- Text keys compared byte by byte ("C"): grouping needs equality only, and sorting the month by
-- the language's collation cost more than all the arithmetic.
select f.operator_code collate "C" as operator_code, s.network_type collate "C" as network_type,
       f.area_code collate "C" as area_code, f.device_id collate "C" as device_id,
       (f.measured_at at time zone 'Asia/Ho_Chi_Minh')::date as local_day,
       case when f.device_id is null then f.measurement_id end collate "C" as lone_test,
       f.download_mbps, f.upload_mbps, f.latency_ms
from ispeed.fact_measurement f
join month_membership s on s.network_type_code = f.network_type_code
where f.month = %(month)s;

create temp table month_test_statistics on commit drop as
-- Means and standard deviations in double precision (numeric cost a quarter of the month's
-- time); the runner turns parallel plans off, so rows are added in the same order every time.
select operator_code, network_type, area_code,
       count(*)                                          as tests,
       count(*) filter (where device_id is null)         as tests_without_device,
       avg(download_mbps)::numeric                       as mean_x,
       stddev_samp(download_mbps)::numeric               as sd_x,
       percentile_cont(array[0.1, 0.5, 0.9]) within group (order by download_mbps) as pct,
       avg(upload_mbps)::numeric                         as mean_upload_x,
       percentile_cont(0.5) within group (order by upload_mbps) as median_upload_x,
       percentile_cont(0.5) within group (order by latency_ms)  as median_latency_x,
       count(*) filter (where download_mbps >= %(threshold)s)   as at_or_above,
       count(distinct device_id)                         as devices
from month_tests
group by grouping sets ((operator_code, network_type), (operator_code, network_type, area_code));

create temp table month_device_days on commit drop as
with units as (
  -- Device-days: each (device, local day) is one unit; a test without a device id is a unit of
  -- its own. Within a district: a device testing in two districts on one day is a unit in each.
  -- Both levels in one hashing pass.
  select operator_code, network_type, area_code, avg(download_mbps) as unit_mean
  from month_tests
  group by grouping sets (
    (device_id, local_day, lone_test, operator_code, network_type),
    (device_id, local_day, lone_test, operator_code, network_type, area_code))
)
-- area_code is never NULL in the facts, so NULL here is the province's level.
select operator_code, network_type, area_code, count(*) as device_days,
       avg(unit_mean)::numeric as ddm_x
from units
group by operator_code, network_type, area_code;

create temp table month_statistics on commit drop as
select st.*, dd.device_days, dd.ddm_x
from month_test_statistics st
join month_device_days dd on dd.operator_code = st.operator_code and dd.network_type = st.network_type
                         and dd.area_code is not distinct from st.area_code;
analyze month_statistics;
drop view month_tests;
