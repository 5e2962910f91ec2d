-- How many agencies and operators submitted, were rejected or are missing for the month, and who.
select 'agency_returns' as dataset, state, count(*) as senders, array_agg(agency_code order by agency_code) as codes
from ispeed.agency_return_status(%(month)s)
group by state
union all
select 'operator_returns', state, count(*), array_agg(operator_code order by operator_code)
from ispeed.operator_return_status(%(month)s)
group by state
order by 1, 2;
