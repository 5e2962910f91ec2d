-- The month's state of every mobile network operator: submitted / rejected / missing (the columns
-- of returns.status.return_status, as agency_return_status.sql; an operator has no district or
-- contact address here).
select month, operator_code as code, operator_name as name, kind, null::text as area_code,
       null::text as contact_email, state, file_id, file_name as file, received_at, error
from ispeed.operator_return_status(%(month)s);
