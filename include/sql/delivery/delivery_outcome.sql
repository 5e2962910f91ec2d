-- The outcome of a 'sending' attempt: 'delivered' once the server accepted the mail, else 'failed'.
update ispeed.meta_delivery
   set status = %(status)s,
       delivered_at = case when %(status)s = 'delivered' then now() end,
       smtp_response = %(smtp_response)s,
       error = %(error)s
 where delivery_id = %(delivery_id)s and status = 'sending'
returning delivered_at;
