-- Before a file's bytes are COPYed straight into the load's staging partition (copy_export_file.sql):
-- the columns the file does not have get their values from defaults, the load, the file and the
-- line, which a sequence counts from the first line after the header (rows arrive in file order).
create sequence if not exists {sequence} minvalue 0;
alter sequence {sequence} restart with {first_line};
alter table {partition} alter column load_id set default {load_id}, alter column file_id set default {file_id},
  alter column line_no set default nextval({sequence_name});
