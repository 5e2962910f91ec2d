-- The measurement ids that the loads of one run collapsed into one (ispeed.fact_measurement_collapsed):
-- rows not loaded because their id was kept from another row, the ids; the conflicts among them
-- (other values) and whether they were settled by the newest file (a reload) or kept their first
-- values. The run summary reads it (operations/summary.py).
select count(*)::bigint                                                               as rows,
       count(distinct c.measurement_id)::bigint                                       as ids,
       count(*) filter (where cardinality(c.differs) > 0)::bigint                     as conflicting_rows,
       count(distinct c.measurement_id) filter (where cardinality(c.differs) > 0)::bigint as conflicting_ids,
       count(distinct c.measurement_id)
         filter (where cardinality(c.differs) > 0 and c.settled_by = 'first_kept')::bigint as unsettled_ids
from ispeed.fact_measurement_collapsed c
join ispeed.meta_load l on l.load_id = c.load_id
where l.run_id = %(run_id)s and c.month = %(month)s;
