-- The month's state of every agency that must report: submitted / rejected / missing (the columns
-- of returns.status.return_status, as operator_return_status.sql).
select month, agency_code as code, agency_name as name, kind, area_code, contact_email, state, file_id,
       file_name as file, received_at, error
from ispeed.agency_return_status(%(month)s);
