-- Every spelling that names an agency: code, name, aliases (psycopg2 execute_values).
insert into ispeed.dim_agency_alias (alias_key, agency_code, alias, valid_from, valid_to) values %s
