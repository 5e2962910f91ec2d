-- The month's delivery attempts, newest first, for the deadline alert.
select delivery_id, status, mode, run_id, attempted_at, delivered_at, outbox_path, error
from ispeed.meta_delivery
where month = %(month)s
order by delivery_id desc
limit 5;
