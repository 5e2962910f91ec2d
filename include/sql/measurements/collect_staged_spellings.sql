-- The distinct spellings of operator, network type, district and province in one load, each with
-- what it names: {names} (kind, v, code, valid_from, valid_to), one row per alias it matches
-- through ispeed.norm_key. A month has a few dozen spellings: normalising them here, once, costs far
-- less than once per row, and one small analysed table lets the planner hash-join the rows to it,
-- one join per kind of name. A staging table of the load, not a temporary one: PostgreSQL's
-- parallel workers can read it, so the whole check runs on every core.
-- Analysed below; not autovacuumed, as every staging table of a load (create_staging_partition.sql).
create unlogged table {names} with (autovacuum_enabled = false, toast.autovacuum_enabled = false) as
select a.kind, u.v, a.code, a.valid_from, a.valid_to
from (select distinct g.v
      -- one scan of the load for the four columns, one small hash table each (a grouping set's
      -- other columns are NULL, so coalesce gives its own): 0.33 CPU-s at 1M rows on one core, against
      -- 0.70 for the distinct of the four columns unnested into one (LATERAL VALUES)
      from (select coalesce(s.operator, s.network_type, s.district, s.province) as v
            from {partition} s
            group by grouping sets ((s.operator), (s.network_type), (s.district), (s.province))) g
      where g.v is not null) u
-- norm_key, or for the few units told apart by their diacritics only, exact_key (V008)
join ispeed.dim_alias a on a.alias_key in (ispeed.norm_key(u.v), ispeed.exact_key(u.v));
analyze {names};
