-- The remedies that operators plan in their returns for districts below the threshold, as section 2
-- of the report prints them (report/collect.py).
select distinct on (o.display_order, f.operator_code, f.area_code)
       f.operator_code, o.name_vi as operator_name, f.area_code, coalesce(a.name_vi, f.area_code) as area_name,
       f.remedy, f.remedy_due_date as due_date
from ispeed.fact_operator_return f
join ispeed.dim_operator o on o.operator_code = f.operator_code
left join ispeed.dim_area a on a.area_code = f.area_code
  and a.valid_from < (f.month + interval '1 month') and (a.valid_to is null or a.valid_to >= f.month)
where f.month = %(month)s and nullif(btrim(f.remedy), '') is not null
order by o.display_order, f.operator_code, f.area_code, f.network_generation;
