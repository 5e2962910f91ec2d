-- Whether the month's partition of the facts exists, and whether the month has facts (an earlier
-- load). Parameters: month, partition (its schema-qualified name).
select to_regclass(%(partition)s) is not null,
       exists (select from ispeed.fact_measurement where month = %(month)s);
