-- The month's operators' returns, as section 2 of the report prints them (report/collect.py): each
-- operator's return summed over districts, 4G and 5G apart.
select s.operator_code, s.operator_name, s.state,
       sum(f.sites_in_service)   filter (where f.network_generation = '4G') as sites_in_service_4g,
       sum(f.sites_in_service)   filter (where f.network_generation = '5G') as sites_in_service_5g,
       sum(f.sites_commissioned)                                             as sites_commissioned,
       sum(f.sites_upgraded)     filter (where f.network_generation = '4G') as sites_upgraded_4g,
       sum(f.sites_upgraded)     filter (where f.network_generation = '5G') as sites_upgraded_5g,
       sum(f.investment_vnd)                                                 as investment_vnd,
       case when s.state = 'rejected' then s.error end                       as reason
from ispeed.operator_return_status(%(month)s) with ordinality as s
left join ispeed.fact_operator_return f
  on f.month = s.month and f.operator_code = s.operator_code and s.state = 'submitted'
group by s.ordinality, s.operator_code, s.operator_name, s.state, s.error
order by s.ordinality;
