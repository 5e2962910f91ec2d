-- Before reloading include/reference/agencies.csv: the dimension goes, in the same transaction.
delete from ispeed.dim_agency_alias;
delete from ispeed.dim_agency;
