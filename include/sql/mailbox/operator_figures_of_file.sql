-- The figures an accepted operator return loaded, summed by network, read back for the operator.
select r.operator_code as code, r.month, r.network_generation, count(*) as units,
       sum(r.sites_in_service) as sites_in_service, sum(r.sites_commissioned) as sites_commissioned,
       sum(r.sites_upgraded) as sites_upgraded, sum(r.investment_vnd) as investment_vnd,
       count(r.remedy) filter (where r.remedy is not null and r.remedy <> '') as remedies
from ispeed.fact_operator_return r
where r.file_id = %(file_id)s
group by r.operator_code, r.month, r.network_generation
order by r.network_generation;
