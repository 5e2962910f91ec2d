-- Loaded measurements of a month by operator and network type.
select f.operator_code, f.network_type_code, count(*) as tests, round(avg(f.download_mbps)::numeric, 2) as mean_download_mbps
from ispeed.fact_measurement f
where f.month = %(month)s
group by f.operator_code, f.network_type_code
order by f.operator_code, f.network_type_code;
