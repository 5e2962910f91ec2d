-- The typed rows of the load's accepted operator returns (psycopg2 execute_values).
insert into ispeed.stg_operator_return
  (load_id, file_id, source_row, operator_code, area_code, network_generation, sites_in_service,
   sites_commissioned, sites_upgraded, investment_vnd, remedy, remedy_due_date, note)
values %s;
