-- V009: the People's Committees of communes, wards and special zones send returns (issue 13;
-- docs/returns.md, "Who must report").
--
-- From 2025-07-01 the district level is abolished: the UBND of every xã, phường and đặc khu of
-- the province reports instead of the UBND quận/huyện. ispeed.dim_agency gets their kind,
-- 'commune_committee' (returns/agencies.py generates them from the geography).

alter table ispeed.dim_agency drop constraint if exists dim_agency_kind_check;
alter table ispeed.dim_agency
  add constraint dim_agency_kind_check
  check (kind in ('department', 'district_committee', 'commune_committee', 'media', 'other'));

comment on column ispeed.dim_agency.area_code is
  'the unit it belongs to (areas.csv: a district until 2025-06-30, a commune, ward or special zone after); null for province-level agencies';
