-- The month's rows of ispeed.mart_compliance_operator, with the operator's name and a stable order:
-- operators in display order, the compliance row first, then the other network types in their
-- display order. The one read of this mart (plugins/ispeed/compliance/marts.py): the report, the
-- status command, the run summary and the runner's own summary all print these rows.
select m.*,
       o.name_vi       as operator_name,
       o.display_order as operator_order
from ispeed.mart_compliance_operator m
left join ispeed.dim_operator o on o.operator_code = m.operator_code
left join ispeed.dim_network_type n on n.network_type_code = m.network_type
where m.month = %(month)s
order by coalesce(o.display_order, 2147483647), m.operator_code, m.in_compliance_scope desc,
         coalesce(n.display_order, 0), m.network_type;
