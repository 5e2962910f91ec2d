-- Whether the month already has facts (an earlier load); if not, the load builds its partition.
select exists (select from ispeed.fact_measurement where month = %(month)s);
