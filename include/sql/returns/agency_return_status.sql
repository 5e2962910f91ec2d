-- The month's state of every agency that must report: submitted / rejected / missing.
select month, agency_code, agency_name, kind, area_code, contact_email, state, file_id, file_name, received_at, error
from ispeed.agency_return_status(%(month)s);
