-- The month's tests as the statistics see them: the temporary view month_tests (one row per test
-- and population it belongs to), over the temporary tables month_scope and month_membership.
-- Run by plugins/ispeed/compliance.py on the month's connection and on each connection that
-- computes a part of the statistics (compliance_stats_*.sql), all in one snapshot of the facts.
-- Parameters: month, compliance_types (sorted text[]), compliance_label.
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
