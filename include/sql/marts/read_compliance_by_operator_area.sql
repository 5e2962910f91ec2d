-- The month's rows of ispeed.mart_compliance_operator_area, with the operator's and the area's names
-- (the area's name valid in the month), in a stable order. The one read of this mart
-- (plugins/ispeed/compliance/marts.py).
select m.*,
       o.name_vi       as operator_name,
       o.display_order as operator_order,
       a.name_vi       as area_name
from ispeed.mart_compliance_operator_area m
left join ispeed.dim_operator o on o.operator_code = m.operator_code
left join ispeed.dim_network_type n on n.network_type_code = m.network_type
left join lateral (
  select d.name_vi
  from ispeed.dim_area d
  where d.area_code = m.area_code
    and d.valid_from < (m.month + interval '1 month')
    and (d.valid_to is null or d.valid_to >= m.month)
  order by d.valid_from desc
  limit 1
) a on true
where m.month = %(month)s
order by coalesce(o.display_order, 2147483647), m.operator_code, m.in_compliance_scope desc,
         coalesce(n.display_order, 0), m.network_type,
         m.area_code = 'unassigned', m.area_code;  -- the tests without a unit last (V008)
