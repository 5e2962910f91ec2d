-- The distinct spellings of operator, network type, district and province in one load, each with
-- its match key (ispeed.norm_key). A month has a few dozen: normalising them here, once, costs far
-- less than once per row, and a small analysed table lets the planner hash-join the rows to it.
create temp table staged_spellings on commit drop as
select v, ispeed.norm_key(v) as k
from (select operator as v from {partition}
      union select network_type from {partition}
      union select district from {partition}
      union select province from {partition}) u
where v is not null;
analyze staged_spellings;
