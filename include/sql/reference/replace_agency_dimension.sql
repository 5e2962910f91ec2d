-- The agencies that must send returns (include/reference/agencies.csv) and every spelling that
-- names one (code, name, aliases), replaced as a whole in the caller's transaction
-- (returns.agencies.sync_agencies). Each table's rows come as one JSON array.

-- Readers wait rather than see the dimension half loaded.
lock table ispeed.dim_agency, ispeed.dim_agency_alias in exclusive mode;

-- What the file held at the last run goes.
delete from ispeed.dim_agency_alias;
delete from ispeed.dim_agency;

insert into ispeed.dim_agency (agency_code, name_vi, kind, area_code, contact_email, valid_from, valid_to)
select agency_code, name_vi, kind, area_code, contact_email, valid_from, valid_to
from jsonb_populate_recordset(null::ispeed.dim_agency, %(agencies)s);

insert into ispeed.dim_agency_alias (alias_key, agency_code, alias, valid_from, valid_to)
select alias_key, agency_code, alias, valid_from, valid_to
from jsonb_populate_recordset(null::ispeed.dim_agency_alias, %(aliases)s);
