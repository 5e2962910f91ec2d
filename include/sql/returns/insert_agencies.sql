-- The agencies of include/reference/agencies.csv (psycopg2 execute_values).
insert into ispeed.dim_agency (agency_code, name_vi, kind, area_code, contact_email, valid_from, valid_to) values %s
