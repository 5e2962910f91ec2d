-- Matching key -> code of the operators, districts and network types valid on the month's last
-- day (the day a return's "sites in service at month end" describes).
select a.kind, a.alias_key, a.code
from ispeed.dim_alias a
where a.kind in ('operator', 'area', 'network_type')
  and a.valid_from <= %(last_day)s and (a.valid_to is null or a.valid_to >= %(last_day)s)
order by a.kind, a.valid_from;
