-- The month's files rejected as a whole, with the reason, in the order they came: section 6 of the
-- report (report/collect.py).
select dataset, file_name, coalesce(error, '') as reason
from ispeed.meta_file
where month = %(month)s and status = 'rejected'
order by case dataset when 'measurements' then 1 when 'agency_returns' then 2 when 'operator_returns' then 3 else 4 end,
         file_id;
