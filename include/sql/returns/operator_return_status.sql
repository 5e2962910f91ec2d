-- The month's state of every mobile network operator: submitted / rejected / missing.
select month, operator_code, operator_name, kind, state, file_id, file_name, received_at, error
from ispeed.operator_return_status(%(month)s);
