-- Rows read and rows quarantined per file of one load.
select file_id,
       count(*) as rows_read,
       count(*) filter (where cardinality(failed_rules) > 0) as rows_quarantined
from {checked}
group by file_id;
