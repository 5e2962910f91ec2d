-- Each operator's verdict for the month (the compliance population only), in display order.
select c.operator_code, c.network_type, c.tests, c.devices, c.statistic, c.figure, c.ci_low, c.ci_high,
       c.threshold, c.verdict, c.ci_straddles_threshold, c.run_id, c.computed_at
from ispeed.mart_compliance_operator c
left join (select distinct on (operator_code) operator_code, display_order
           from ispeed.dim_operator order by operator_code, valid_from desc) o on o.operator_code = c.operator_code
where c.month = %(month)s and c.in_compliance_scope
order by o.display_order nulls last, c.operator_code;
