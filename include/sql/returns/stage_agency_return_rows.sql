-- The typed rows of the load's accepted agency returns (psycopg2 execute_values).
insert into ispeed.stg_agency_return
  (load_id, file_id, source_row, agency_code, staff_total, staff_installed, staff_measured,
   staff_measurements, citizens_helped, cdt_members, note)
values %s;
