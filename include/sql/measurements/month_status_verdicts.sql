-- The month's compliance verdicts per operator (the network types in scope), for the status command.
select m.operator_code, m.verdict, m.figure, m.tests, m.devices, m.ci_straddles_threshold
from ispeed.mart_compliance_operator m
left join ispeed.dim_operator o on o.operator_code = m.operator_code
where m.month = %(month)s and m.in_compliance_scope and m.tests > 0
order by coalesce(o.display_order, 999), m.operator_code;
