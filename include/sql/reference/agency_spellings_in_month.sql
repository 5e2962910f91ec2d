-- Matching key -> agency code, for the agencies that exist at some time in the month. Oldest
-- first, so that when two agencies shared a spelling within the month the later one wins.
select a.alias_key, a.agency_code
from ispeed.dim_agency_alias a
where a.valid_from <= %(last_day)s and (a.valid_to is null or a.valid_to >= %(first_day)s)
order by a.valid_from, a.agency_code;
