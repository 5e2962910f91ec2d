-- The kinds and months whose landing folders hold a filed mail's file that no load has registered
-- yet (this pull's, or an earlier pull's whose load failed).
select distinct mf.dataset, mf.month
from ispeed.meta_mail_file mf
where mf.stored_path is not null
  and not exists (select 1 from ispeed.meta_file f
                  where f.source_path = mf.stored_path and f.sha256 = mf.sha256
                    and f.status not in ('reading', 'staged'))
order by mf.dataset, mf.month;
