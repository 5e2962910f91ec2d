-- V008: tests counted for the province without a unit (issue 13; docs/geography.md).
--
-- From 2025-07-01 a province's units are its communes, wards and special zones. A test whose row
-- names the province but whose unit is missing, unknown or not valid on the test's date (an
-- abolished district in a 2026 export) still counts for the province's figure. Its area_code in
-- ispeed.fact_measurement is 'unassigned', never an abolished unit. In
-- ispeed.mart_compliance_operator_area its row shows the figures of those tests ("chưa xác định
-- xã/phường" in the report) without a verdict: it is not a unit that could meet the target.

alter table ispeed.mart_compliance_operator_area
  drop constraint if exists mart_compliance_operator_area_check;
alter table ispeed.mart_compliance_operator_area
  drop constraint if exists mart_compliance_operator_area_verdict_scope;
alter table ispeed.mart_compliance_operator_area
  add constraint mart_compliance_operator_area_verdict_scope
  check ((verdict is null) = (not in_compliance_scope or area_code = 'unassigned'));

comment on column ispeed.mart_compliance_operator_area.area_code is
  'the unit (areas.csv), or ''unassigned'': the tests counted for the province without a unit valid on their date';

-- The key of a spelling that keeps its diacritics (plugins/ispeed/text.py:exact_key is the same
-- function in Python; a test keeps them equal). dim_alias holds it, instead of norm_key, for the
-- few units whose names differ from another's only in their diacritics (Xã Cẩm Giang, Xã Cẩm
-- Giàng): those are matched as written.
create or replace function ispeed.exact_key(t text) returns text
language sql immutable parallel safe strict as
$$ select '=' || lower(regexp_replace(normalize(t, NFC), '[^[:alnum:]]+', '', 'g')) $$;
