-- The distinct spellings of operator, network type, district and province in one load, each with
-- what it names: {names} (kind, v, code, valid_from, valid_to), one row per alias it matches
-- through ispeed.norm_key. A month has a few dozen spellings: normalising them here, once, costs far
-- less than once per row, and one small analysed table lets the planner hash-join the rows to it,
-- one join per kind of name. A staging table of the load, not a temporary one: PostgreSQL's
-- parallel workers can read it, so the whole check runs on every core.
create unlogged table {names} as
select a.kind, u.v, a.code, a.valid_from, a.valid_to
from (select distinct x.v  -- one scan of the load for the four columns
      from {partition} s
      cross join lateral (values (s.operator), (s.network_type), (s.district), (s.province)) as x(v)
      where x.v is not null) u
-- norm_key, or for the few units told apart by their diacritics only, exact_key (V008)
join ispeed.dim_alias a on a.alias_key in (ispeed.norm_key(u.v), ispeed.exact_key(u.v));
analyze {names};
