-- Per sender's latest return of the month that came by mail: the message (Message-ID, from, date,
-- subject) and our reply to it; then the messages held for review (not loaded), for every month.
select r.dataset, r.sender_code as code, f.file_name as file, f.status as file_status,
       m.message_id, m.from_address, m.sent_at, m.subject, m.status as message_status,
       rp.status as reply_status, rp.finished_at as replied_at, rp.reply_message_id
from ispeed.v_latest_return r
join ispeed.meta_file f on f.file_id = r.file_id
join ispeed.meta_mail_message m on m.message_id = f.mail_message_id
left join ispeed.meta_mail_reply rp on rp.message_id = m.message_id and rp.purpose = 'outcome'
where r.month = %(month)s
union all
select null, array_to_string(m.returns_for, ', '), null, null, m.message_id, m.from_address, m.sent_at,
       m.subject, m.status, rp.status, rp.finished_at, rp.reply_message_id
from ispeed.meta_mail_message m
left join ispeed.meta_mail_reply rp on rp.message_id = m.message_id and rp.purpose = 'unregistered'
where m.status = 'held'
order by 1 nulls last, 2;
