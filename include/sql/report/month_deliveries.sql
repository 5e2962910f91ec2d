-- Every delivery attempt of a month, oldest first.
select delivery_id, sequence, attempt, mode, status, message_id, pdf_sha256, forced, run_id,
       attempted_at, delivered_at, outbox_path, error
from ispeed.meta_delivery
where month = %(month)s
order by delivery_id;
