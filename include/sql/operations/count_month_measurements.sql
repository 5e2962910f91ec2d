-- Loaded i-Speed measurements of a month and of the months before it (oldest first), 0 for a
-- month without any: the freshness check compares the month with the mean of the earlier ones.
select m.month::date as month, coalesce(c.tests, 0) as tests
from generate_series(%(first_month)s::date, %(month)s::date, interval '1 month') as m(month)
left join (
  select f.month, count(*) as tests
  from ispeed.fact_measurement f
  where f.month between %(first_month)s::date and %(month)s::date
  group by f.month
) c on c.month = m.month::date
order by m.month;
