-- A load that stopped on an error (its facts were rolled back).
update ispeed.meta_load set status = 'failed', finished_at = now(), error = %(error)s where load_id = %(load_id)s;
