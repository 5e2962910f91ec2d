-- The month's delivery: its newest attempt, and whether (and when) the month counts as delivered.
select d.delivery_id, d.status, d.mode, d.run_id, d.message_id, d.recipients, d.outbox_path, d.error,
       d.attempted_at, d.delivered_at,
       (select min(x.delivered_at) from ispeed.meta_delivery x where x.month = d.month and x.status = 'delivered')
         as month_delivered_at
from ispeed.meta_delivery d
where d.month = %(month)s
order by d.delivery_id desc
limit 1;
