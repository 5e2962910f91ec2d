-- A staging partition for one load, which receives its rows by COPY.
create unlogged table {partition} partition of ispeed.stg_measurement for values in ({load_id});
