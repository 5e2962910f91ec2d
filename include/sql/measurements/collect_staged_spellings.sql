-- The distinct spellings of operator, network type, district and province in one load, each with
-- what it names: {names} (kind, v, code, valid_from, valid_to), one row per alias it matches
-- through ispeed.norm_key. A month has a few dozen spellings: normalising them here, once, costs far
-- less than once per row, and one small analysed table lets the planner hash-join the rows to it,
-- one join per kind of name. A staging table of the load, not a temporary one: PostgreSQL's
-- parallel workers can read it, so the whole check runs on every core.
create unlogged table {names} as
select a.kind, u.v, a.code, a.valid_from, a.valid_to
from (select operator as v from {partition}
      union select network_type from {partition}
      union select district from {partition}
      union select province from {partition}) u
join ispeed.dim_alias a on a.alias_key = ispeed.norm_key(u.v)
where u.v is not null;
analyze {names};
