-- The file of each sender's latest return of the month (to say what replaced what).
select sender_code, file_name
from ispeed.v_latest_return
where dataset = %(dataset)s and month = %(month)s;
