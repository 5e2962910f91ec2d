-- What the warehouse holds for the month, whichever run loaded it.
select (select count(*) from ispeed.fact_measurement where month = %(month)s) as measurements,
       (select count(*) from ispeed.fact_quarantine where month = %(month)s and dataset = 'measurements') as measurements_quarantined,
       (select count(*) from ispeed.meta_file where month = %(month)s and dataset = 'measurements' and status = 'loaded') as measurement_files,
       (select count(*) from ispeed.fact_agency_return where month = %(month)s) as agency_return_rows,
       (select count(*) from ispeed.fact_operator_return where month = %(month)s) as operator_return_rows;
