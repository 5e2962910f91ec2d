-- The dimensions of include/reference/ (operators.csv, network_types.csv, areas.csv, aliases.csv,
-- and the names and codes that are their own aliases), replaced as a whole in the caller's
-- transaction (warehouse.reference.sync_reference). Each table's rows come as one JSON array.

-- Readers wait rather than see the dimensions half loaded.
lock table ispeed.dim_operator, ispeed.dim_network_type, ispeed.dim_area, ispeed.dim_alias in exclusive mode;

-- What the files held at the last run goes.
delete from ispeed.dim_alias;
delete from ispeed.dim_area;
delete from ispeed.dim_network_type;
delete from ispeed.dim_operator;

-- operators.csv
insert into ispeed.dim_operator (operator_code, name_vi, name_en, kind, display_order, valid_from, valid_to,
                                 contact_email)
select operator_code, name_vi, name_en, kind, display_order, valid_from, valid_to, nullif(contact_email, '')
from jsonb_populate_recordset(null::ispeed.dim_operator, %(operators)s);

-- network_types.csv
insert into ispeed.dim_network_type (network_type_code, name, is_mobile, display_order)
select network_type_code, name, is_mobile, display_order
from jsonb_populate_recordset(null::ispeed.dim_network_type, %(network_types)s);

-- areas.csv
insert into ispeed.dim_area (area_code, name_vi, level, province_code, valid_from, valid_to)
select area_code, name_vi, level, province_code, valid_from, valid_to
from jsonb_populate_recordset(null::ispeed.dim_area, %(areas)s);

-- Every spelling of an operator, network type, district or the province, keyed by ispeed.norm_key.
insert into ispeed.dim_alias (kind, alias_key, code, alias, valid_from, valid_to)
select kind, alias_key, code, alias, valid_from, valid_to
from jsonb_populate_recordset(null::ispeed.dim_alias, %(aliases)s);
