-- Code -> name for messages: agencies, operators (flagged when they must report, i.e. run their
-- own network, in display order), districts with their "Quận"/"Huyện" prefix. Where a code had
-- several names in the month, the latest one.
select code, name, reports
from (
  select agency_code as code, name_vi as name, false as reports, 0 as ord
  from (select distinct on (agency_code) agency_code, name_vi from ispeed.dim_agency
        where valid_from <= %(last_day)s and (valid_to is null or valid_to >= %(first_day)s)
        order by agency_code, valid_from desc) a
  union all
  select operator_code, name_vi, kind = 'mno', display_order
  from ispeed.dim_operator
  where valid_from <= %(last_day)s and (valid_to is null or valid_to >= %(last_day)s)
  union all
  select area_code,
         case level when 'quan' then 'Quận ' when 'huyen' then 'Huyện ' when 'thi_xa' then 'Thị xã '
                    when 'thanh_pho' then 'Thành phố ' when 'phuong' then 'Phường ' when 'xa' then 'Xã '
                    when 'thi_tran' then 'Thị trấn ' else '' end || name_vi,
         false, 0
  from (select distinct on (area_code) * from ispeed.dim_area
        where valid_from <= %(last_day)s and (valid_to is null or valid_to >= %(first_day)s)
        order by area_code, valid_from desc) ar
) names
order by ord, code;
