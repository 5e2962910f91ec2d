-- The decimal mark of each file of one load, decided from the file (issue 14): a speed or latency
-- cell such as '45,6' (a comma, then other than three digits) shows a decimal comma, '105.64' a
-- decimal point (check_staged_measurements.sql reads numbers accordingly).
-- The files' decimal marks, kept in {names} (kind 'decimal_mark', code the file_id): one scan of
-- the load, cheap tests only (strpos and length, which stop at the first column that shows a mark).
insert into {names} (kind, v, code, valid_from, valid_to)
select 'decimal_mark',
       case when f.comma_seen and f.point_seen then 'both' when f.comma_seen then 'comma'
            when f.point_seen then 'point' else 'none' end,
       f.file_id::text, date '1900-01-01', null
from (select s.file_id,
             bool_or((strpos(s.download_mbps, ',') > 0 and btrim(s.download_mbps, '0123456789') = ','
                      and length(s.download_mbps) - strpos(s.download_mbps, ',') <> 3)
                  or (strpos(s.upload_mbps, ',') > 0 and btrim(s.upload_mbps, '0123456789') = ','
                      and length(s.upload_mbps) - strpos(s.upload_mbps, ',') <> 3)
                  or (strpos(s.latency_ms, ',') > 0 and btrim(s.latency_ms, '0123456789') = ','
                      and length(s.latency_ms) - strpos(s.latency_ms, ',') <> 3)) as comma_seen,
             bool_or((strpos(s.download_mbps, '.') > 0 and length(s.download_mbps) - strpos(s.download_mbps, '.') <> 3
                      and btrim(s.download_mbps, '0123456789') = '.')
                  or (strpos(s.upload_mbps, '.') > 0 and length(s.upload_mbps) - strpos(s.upload_mbps, '.') <> 3
                      and btrim(s.upload_mbps, '0123456789') = '.')
                  or (strpos(s.latency_ms, '.') > 0 and length(s.latency_ms) - strpos(s.latency_ms, '.') <> 3
                      and btrim(s.latency_ms, '0123456789') = '.')) as point_seen
      from {partition} s group by s.file_id) f;

-- The file's decimal mark, for a person reading meta_file.
update ispeed.meta_file mf
set header_map = coalesce(mf.header_map, jsonb_build_object()) || jsonb_build_object('decimal_mark', m.v,
      'decimal_mark_note', case m.v
        when 'comma' then 'decimal comma: cells such as 1.234 read as 1234'
        when 'point' then 'decimal point: cells such as 1,234 read as 1234'
        when 'both' then 'decimal commas and points both: cells such as 1.234 or 1,234 quarantined (decimal_mark_decided)'
        else 'no decimal mark shown: cells such as 1.234 or 1,234 quarantined (decimal_mark_decided)' end)
from {names} m
where m.kind = 'decimal_mark' and mf.file_id = m.code::bigint;
