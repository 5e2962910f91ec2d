-- The month's state of every agency that must report: submitted / rejected / missing (the columns
-- of returns.status.return_status, as operator_return_status.sql). In the report's order: the
-- departments, the other agencies, the People's Committees (district or commune) by unit, the press.
select month, agency_code as code, agency_name as name, kind, area_code, contact_email, state, file_id,
       file_name as file, received_at, error
from ispeed.agency_return_status(%(month)s)
order by case kind when 'department' then 1 when 'other' then 2 when 'district_committee' then 3
                   when 'commune_committee' then 3 else 4 end,
         area_code nulls first, agency_code;
