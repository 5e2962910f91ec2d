-- The month's report delivery that counts: the first 'delivered' row (null when there is none;
-- 'written_to_outbox' and 'skipped' do not count).
select delivery_id, delivered_at, message_id, run_id
from ispeed.meta_delivery
where month = %(month)s and status = 'delivered'
order by delivery_id
limit 1;
