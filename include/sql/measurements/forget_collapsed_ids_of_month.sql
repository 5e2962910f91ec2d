-- A month reloaded from its files: the ids its earlier loads collapsed go (the reload records them
-- again, settled by the newest file: record_collapsed_ids.sql).
delete from ispeed.fact_measurement_collapsed where month = %(month)s;
