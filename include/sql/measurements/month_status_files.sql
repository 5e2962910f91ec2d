-- The files of a month, every dataset (measurements, then the returns), as the status command shows
-- them: rows read = loaded + quarantined + duplicate, and of the duplicate rows those whose id was
-- kept from a row with other values (conflicts: ispeed.fact_measurement_collapsed).
select f.dataset, f.file_name, f.status, f.rows_read, f.rows_loaded, f.rows_quarantined, f.rows_duplicate,
       coalesce(c.conflicting, 0)::bigint as rows_conflicting, coalesce(f.error, '') as error, f.registered_at
from ispeed.meta_file f
left join lateral (
  select count(*) filter (where cardinality(x.differs) > 0) as conflicting
  from ispeed.fact_measurement_collapsed x
  where x.file_id = f.file_id and x.month = f.month
) c on f.dataset = 'measurements'
where f.month = %(month)s and f.status not in ('replaced', 'abandoned')  -- abandoned: read again by a later load
order by case f.dataset when 'measurements' then 1 when 'agency_returns' then 2 when 'operator_returns' then 3 else 4 end,
         f.file_id;
