-- The month's agency facts follow each agency's latest return (ispeed.v_latest_return). For
-- every agency whose latest return was read by this load, its earlier facts go, and the return's
-- row comes in when the return was accepted; a rejected latest return leaves the agency without
-- figures until it sends a corrected one. Agencies whose latest return is older are untouched.
delete from ispeed.fact_agency_return f
using ispeed.v_latest_return l
where l.dataset = 'agency_returns' and l.month = %(month)s and l.load_id = %(load_id)s
  and f.month = l.month and f.agency_code = l.sender_code;

insert into ispeed.fact_agency_return
  (month, agency_code, staff_total, staff_installed, staff_measured, staff_measurements,
   citizens_helped, cdt_members, note, file_id, source_row, load_id)
select %(month)s, s.agency_code, s.staff_total, s.staff_installed, s.staff_measured, s.staff_measurements,
       s.citizens_helped, s.cdt_members, s.note, s.file_id, s.source_row, s.load_id
from ispeed.stg_agency_return s
join ispeed.v_latest_return l
  on l.dataset = 'agency_returns' and l.month = %(month)s and l.load_id = %(load_id)s
 and l.sender_code = s.agency_code and l.file_id = s.file_id and l.state = 'submitted'
where s.load_id = %(load_id)s;
