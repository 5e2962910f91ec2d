-- A plain CSV export as it is, parsed by PostgreSQL, into the load's staging partition
-- (prepare_direct_copy.sql gives the load, file and line). force_null: a quoted empty cell ("")
-- is empty, as the line-by-line reading has it.
copy {partition} ({columns}) from stdin with (format csv, header true, delimiter {delimiter}, force_null ({columns}))
