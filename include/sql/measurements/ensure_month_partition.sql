-- The facts' partition for one month (created on first load of the month).
create table if not exists {partition} partition of ispeed.fact_measurement for values in (%(month)s);
