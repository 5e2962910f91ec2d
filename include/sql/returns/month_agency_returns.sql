-- The month's agencies' returns, as section 1 of the report prints them (report/collect.py): every
-- agency expected to report in the month, its state, and its figures when its return was accepted
-- in the report's order: the departments, the other agencies, the People's Committees (district or
-- commune, V009) by unit, the press.
select s.agency_code, s.agency_name, s.state, s.kind,
       f.staff_total, f.staff_installed as installed, f.staff_measured as measured,
       f.staff_measurements as measurements, f.citizens_helped, f.cdt_members as team_members_active,
       f.note, case when s.state = 'rejected' then s.error end as reason
from ispeed.agency_return_status(%(month)s) with ordinality as s
left join ispeed.fact_agency_return f
  on f.month = s.month and f.agency_code = s.agency_code and s.state = 'submitted'
order by case s.kind when 'department' then 1 when 'other' then 2 when 'district_committee' then 3
                     when 'commune_committee' then 3 else 4 end,
         s.area_code nulls first, s.agency_code;
