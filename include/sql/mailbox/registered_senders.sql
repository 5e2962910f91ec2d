-- The senders an address is registered for, and the kind of return each sends: the agencies
-- (dim_agency, from agencies.csv and the generated UBND) and the operators (dim_operator,
-- operators.csv) whose contact_email holds it, several addresses separated by ';', in lower case.
select code, dataset
from (
  select agency_code as code, 'agency_returns' as dataset, contact_email from ispeed.dim_agency
  union all
  select operator_code, 'operator_returns', contact_email from ispeed.dim_operator
) c
cross join lateral regexp_split_to_table(lower(coalesce(c.contact_email, '')), '\s*;\s*') as address
where address = lower(%(address)s)
order by code;
