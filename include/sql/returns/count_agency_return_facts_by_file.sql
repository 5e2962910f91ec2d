-- Agency facts that this load put in, per file.
select file_id, count(*) from ispeed.fact_agency_return
where month = %(month)s and load_id = %(load_id)s
group by file_id;
