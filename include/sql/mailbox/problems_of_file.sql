-- What is wrong with a rejected return, one problem per wrong cell as the quarantine keeps them (the
-- rows without a problem of their own, rule return_rejected, are left out).
select distinct on (message) message, line_no
from ispeed.fact_quarantine
where file_id = %(file_id)s and rule <> 'return_rejected' and message is not null
order by message, line_no;
