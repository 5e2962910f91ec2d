-- Every delivery attempt of a month, oldest first: what the delivery decides from (sequence,
-- attempt, already delivered), the reminders and the deadline alert (delivered or not), and the
-- history the status command shows. The month counts as delivered from its first 'delivered' row
-- ('written_to_outbox' and 'skipped' do not count).
select delivery_id, sequence, attempt, mode, status, message_id, pdf_sha256, forced, run_id,
       attempted_at, delivered_at, outbox_path, error
from ispeed.meta_delivery
where month = %(month)s
order by delivery_id;
