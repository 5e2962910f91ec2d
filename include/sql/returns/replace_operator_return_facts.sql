-- The month's operator facts follow each operator's latest return (ispeed.v_latest_return): for
-- every operator whose latest return was read by this load, all its rows of the month go, and
-- the return's rows come in when it was accepted. Operators whose latest return is older are
-- untouched.
delete from ispeed.fact_operator_return f
using ispeed.v_latest_return l
where l.dataset = 'operator_returns' and l.month = %(month)s and l.load_id = %(load_id)s
  and f.month = l.month and f.operator_code = l.sender_code;

insert into ispeed.fact_operator_return
  (month, operator_code, area_code, network_generation, sites_in_service, sites_commissioned,
   sites_upgraded, investment_vnd, remedy, remedy_due_date, note, file_id, source_row, load_id)
select %(month)s, s.operator_code, s.area_code, s.network_generation, s.sites_in_service, s.sites_commissioned,
       s.sites_upgraded, s.investment_vnd, s.remedy, s.remedy_due_date, s.note, s.file_id, s.source_row, s.load_id
from ispeed.stg_operator_return s
join ispeed.v_latest_return l
  on l.dataset = 'operator_returns' and l.month = %(month)s and l.load_id = %(load_id)s
 and l.sender_code = s.operator_code and l.file_id = s.file_id and l.state = 'submitted'
where s.load_id = %(load_id)s;
