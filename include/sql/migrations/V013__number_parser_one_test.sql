-- V013: ispeed.parse_number's fast path tested with one regular expression instead of btrim and
-- two lists: the same texts take it ('105.64', '12', '.5', '5.': digits with at most one '.', not
-- '' nor '.'), and the rest take V006's path unchanged, so the results are the same value for
-- value (tests/measurements/test_properties.py compares it with V006 on generated texts and edge
-- cases). About 0.1 s a column at a million rows (docs/performance.md).
create or replace function ispeed.parse_number(t text) returns double precision
language sql immutable parallel safe as $fn$
  select case
    when length(t) > 40 then null
    when t ~ '^([0-9]+\.?[0-9]*|\.[0-9]+)$' then t::double precision
    when t ~ '^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,2})?\s*$' then t::double precision
    when t ~ '^\s*[+-]?[0-9 ]+,[0-9]+\s*$' then replace(replace(t, ' ', ''), ',', '.')::double precision
    when t ~ '^\s*[+-]?[0-9][0-9 ]*(\.[0-9]+)?\s*$' then replace(t, ' ', '')::double precision
    else null end
$fn$;
