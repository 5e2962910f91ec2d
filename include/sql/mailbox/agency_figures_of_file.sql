-- The figures an accepted agency return loaded, read back for the clerk who sent it.
select r.agency_code as code, coalesce(a.name_vi, r.agency_code) as name, r.month, r.staff_total,
       r.staff_installed, r.staff_measured, r.staff_measurements, r.citizens_helped, r.cdt_members, r.source_row
from ispeed.fact_agency_return r
left join ispeed.dim_agency a on a.agency_code = r.agency_code
where r.file_id = %(file_id)s
order by r.source_row;
