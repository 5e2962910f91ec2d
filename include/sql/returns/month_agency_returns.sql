-- The month's agencies' returns, as section 1 of the report prints them (report/collect.py): every
-- agency expected to report in the month, its state, and its figures when its return was accepted
-- (ispeed.agency_return_status orders agencies for print).
select s.agency_code, s.agency_name, s.state, s.kind,
       f.staff_total, f.staff_installed as installed, f.staff_measured as measured,
       f.staff_measurements as measurements, f.citizens_helped, f.cdt_members as team_members_active,
       f.note, case when s.state = 'rejected' then s.error end as reason
from ispeed.agency_return_status(%(month)s) with ordinality as s
left join ispeed.fact_agency_return f
  on f.month = s.month and f.agency_code = s.agency_code and s.state = 'submitted'
order by s.ordinality;
