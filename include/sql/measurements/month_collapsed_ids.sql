-- The measurement ids of a month that collapsed into one (ispeed.fact_measurement_collapsed, of its
-- files not replaced by a reload): rows not loaded because their id was kept from another row, and
-- the ids; among them the conflicts (other values), and those a reload has not settled yet
-- (settled_by 'first_kept': the values first loaded stay). The status command and section VI of
-- the report read it.
select count(*)::bigint                                                          as rows,
       count(distinct c.measurement_id)::bigint                                  as ids,
       count(*) filter (where cardinality(c.differs) > 0)::bigint                as conflicting_rows,
       count(distinct c.measurement_id) filter (where cardinality(c.differs) > 0)::bigint as conflicting_ids,
       count(distinct c.measurement_id)
         filter (where cardinality(c.differs) > 0 and c.settled_by = 'first_kept')::bigint as unsettled_ids
from ispeed.fact_measurement_collapsed c
join ispeed.meta_file f on f.file_id = c.file_id and f.status <> 'replaced'
where c.month = %(month)s;
