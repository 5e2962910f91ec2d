-- The month's state of every mobile network operator: submitted / rejected / missing (the columns
-- of returns.status.return_status, as agency_return_status.sql; an operator has no district; its
-- contact is contact_email of operators.csv, in dim_operator since V016).
select s.month, s.operator_code as code, s.operator_name as name, s.kind, null::text as area_code,
       o.contact_email, s.state, s.file_id, s.file_name as file, s.received_at, s.error
from ispeed.operator_return_status(%(month)s) s
left join ispeed.dim_operator o on o.operator_code = s.operator_code;
