-- Loaded measurements of a month by operator and network type. The mean to 4 decimals, as the marts
-- store it: the status command prints it on its side of the threshold (ispeed.figures), which a
-- mean already rounded to 2 decimals (39.9951 -> 40.00) could not be.
select f.operator_code, f.network_type_code, count(*) as tests, round(avg(f.download_mbps)::numeric, 4) as mean_download_mbps
from ispeed.fact_measurement f
where f.month = %(month)s
group by f.operator_code, f.network_type_code
order by f.operator_code, f.network_type_code;
