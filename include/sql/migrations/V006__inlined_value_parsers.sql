-- V006: the value parsers of V001 rewritten as single stable expressions, so that PostgreSQL inlines them
-- into the query instead of calling a SQL function once per value (that call cost about 2 µs a
-- value, the largest part of checking a month: docs/performance.md). Same results: a test keeps
-- them to the examples of V001's comments.

-- A number as people type it: '45.6', '45,6' (decimal comma), ' 1 234,5 '. NULL when it is not a
-- finite number (NaN and Infinity never reach the facts). The patterns only admit text that float8
-- can take (40 characters at most, a two-digit exponent), so the cast cannot fail, not even when
-- PostgreSQL folds a constant argument while planning.
create or replace function ispeed.parse_number(t text) returns double precision
language sql immutable parallel safe as $fn$
  select case
    when length(t) > 40 then null
    when t ~ '^\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]{1,2})?\s*$' then t::double precision
    when t ~ '^\s*[+-]?[0-9 ]+,[0-9]+\s*$' then replace(replace(t, ' ', ''), ',', '.')::double precision
    when t ~ '^\s*[+-]?[0-9][0-9 ]*(\.[0-9]+)?\s*$' then replace(t, ' ', '')::double precision
    else null end
$fn$;

-- A timestamp as the export carries it (ISO 8601). With an offset or 'Z' it is taken as is; a
-- naive one is local time in Viet Nam (Asia/Ho_Chi_Minh). NULL when unreadable; 'yesterday' or
-- '05/10/2024' are not read (PostgreSQL would read them, the second as 10 May). The offset is
-- found by position (…+07:00, …+0700, …+07, …Z), which costs far less than a regular expression.
create or replace function ispeed.parse_timestamp(t text) returns timestamptz
language sql stable parallel safe as $fn$
  select case
    when t is null or t !~ '^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}' or not pg_input_is_valid(t, 'timestamp') then null
    when length(btrim(t)) > 10 and (right(btrim(t), 1) in ('Z', 'z')
         or substr(btrim(t), length(btrim(t)) - 5, 1) in ('+', '-')
         or substr(btrim(t), length(btrim(t)) - 4, 1) in ('+', '-')
         or substr(btrim(t), length(btrim(t)) - 2, 1) in ('+', '-'))
      then t::timestamptz
    else t::timestamp at time zone 'Asia/Ho_Chi_Minh' end
$fn$;
