-- The month's populations: the temporary tables month_scope (each network type on its own, and the
-- compliance network types together) and month_membership (which population a test's network type
-- belongs to). Run by plugins/ispeed/compliance/runner.py in the month's transaction, and on each
-- connection that computes a part of the statistics, before compliance_month_tests.sql.
-- Parameters: compliance_types (sorted text[]), compliance_label.
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
