-- The approver's decision (approved / rejected) or the deadline passing without one (timed_out), on
-- the run's open request.
update ispeed.meta_report_approval
   set status = %(status)s, decided_by = %(decided_by)s, decided_at = coalesce(%(decided_at)s, now()),
       reason = %(reason)s
 where approval_id = (
         select approval_id from ispeed.meta_report_approval
          where month = %(month)s and run_id = %(run_id)s and status = 'requested'
          order by approval_id desc
          limit 1)
returning approval_id;
