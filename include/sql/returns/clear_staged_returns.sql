-- Staging holds a load's rows only while the load runs.
delete from ispeed.stg_agency_return where load_id = %(load_id)s;
delete from ispeed.stg_operator_return where load_id = %(load_id)s;
