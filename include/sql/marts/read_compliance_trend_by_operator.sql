-- The trend rows stored for a reporting month (ispeed.mart_compliance_trend), with the operator's
-- name, ordered for a chart: operator, compliance population first, network type, month. The one
-- read of this mart (plugins/ispeed/compliance/marts.py).
select t.*,
       o.name_vi       as operator_name,
       o.display_order as operator_order
from ispeed.mart_compliance_trend t
left join ispeed.dim_operator o on o.operator_code = t.operator_code
left join ispeed.dim_network_type n on n.network_type_code = t.network_type
where t.month = %(month)s
order by coalesce(o.display_order, 2147483647), t.operator_code, t.in_compliance_scope desc,
         coalesce(n.display_order, 0), t.network_type, t.trend_month;
