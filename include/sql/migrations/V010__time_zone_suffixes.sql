-- V010: times whose zone is written as a name or in a form PostgreSQL reads the other way
-- (issue 14). An export may end a time with 'UTC', 'GMT', 'UTC+07:00', 'GMT+7', '+7': PostgreSQL
-- takes 'UTC' and 'GMT' after a timestamp without time zone as nothing (the time was read as Viet
-- Nam's, 7 hours off) and 'UTC+07:00' the POSIX way, 7 hours WEST of UTC (14 hours off). Such a
-- text is now read as the instant it names, the ISO 8601 way (+ is east of UTC), or it is NULL
-- (quarantined as measured_at_readable); it is never shifted:
--   'UTC', 'GMT', 'Z'                         UTC
--   'UTC+07:00', 'GMT+7', 'UTC +0700', '+7'   7 hours east of UTC
--   another zone's abbreviation ('EST')      PostgreSQL's reading of it (its own, documented offset)
--   another name followed by an offset        NULL: 'ICT+7' may be either sign
--   a name PostgreSQL does not know ('ICT')   NULL
-- The fast paths of V007 are unchanged (they take only digits and '+hh:mm', '-hh:mm', 'Z'), and so is
-- everything else V007 read: only a text that names its zone with letters, or with a one-digit
-- offset, takes the new path (tests/measurements/test_properties.py compares the two on all others).

-- The slow path for zones written with letters or a one-digit offset: not inlined (plpgsql), and
-- called only for those texts, which are rare.
create or replace function ispeed.parse_timestamp_named_zone(t text) returns timestamptz
language plpgsql stable parallel safe as $fn$
declare
  s text := btrim(t);
begin
  if s !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}[T ]+[0-9]{1,2}:[0-9]{2}' then
    return null;
  end if;
  -- 'UTC' or 'GMT' alone is UTC; followed by an offset, the offset is the zone, read as ISO 8601 reads it
  s := regexp_replace(s, '\s*(utc|gmt)\s*$', '+00', 'i');
  s := regexp_replace(s, '\s*(utc|gmt)\s*(?=[+-][0-9])', '', 'i');
  -- any other name with an offset: the sign may be POSIX or ISO, so the text is not read
  if s ~ '[A-Za-z]\s*[+-][0-9]' then
    return null;
  end if;
  -- a one-digit hour offset '+7' as '+07'
  s := regexp_replace(s, '([0-9])\s*([+-])([0-9])$', '\1\20\3');
  if s ~ '[A-Za-z]$' or s ~ '[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?\s*[+-][0-9]{2}(:?[0-9]{2})?$' then
    if pg_input_is_valid(s, 'timestamptz') then
      return s::timestamptz;
    end if;
    return null;
  end if;
  if pg_input_is_valid(s, 'timestamp') then
    return s::timestamp at time zone 'Asia/Ho_Chi_Minh';
  end if;
  return null;
end
$fn$;

create or replace function ispeed.parse_timestamp(t text) returns timestamptz
language sql stable parallel safe as $fn$
  select case
    when t is null then null
    -- V007's fast paths
    when (t like '____-__-_____:__:__+__:__' or t like '____-__-_____:__:__-__:__' or t like '____-__-_____:__:__Z'
          or t like '____-__-_____:__:__z')
         and strpos('0123456789Zz', right(t, 1)) > 0
         and btrim(left(t, 4) || substr(t, 6, 2) || substr(t, 9, 2), '0123456789') = ''
      then case when pg_input_is_valid(t, 'timestamp') then t::timestamptz end
    when t like '____-__-_____:__:__' and strpos('0123456789', right(t, 1)) > 0
         and strpos('0123456789', substr(t, 15, 1)) > 0
         and btrim(left(t, 4) || substr(t, 6, 2) || substr(t, 9, 2), '0123456789') = ''
      then case when pg_input_is_valid(t, 'timestamp') then t::timestamp at time zone 'Asia/Ho_Chi_Minh' end
    -- new in V010: a zone named with letters after the time (other than a lone 'Z'), or a one-digit offset
    when t ~ '^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}.*[0-9](\s*([A-Za-z]{2,}|[A-Ya-y])\s*([+-][0-9]{1,2}(:?[0-9]{2})?)?|\s*[+-][0-9])\s*$'
      then ispeed.parse_timestamp_named_zone(t)
    -- anything else: V006's path
    when t !~ '^\s*[0-9]{4}-[0-9]{2}-[0-9]{2}' or not pg_input_is_valid(t, 'timestamp') then null
    when length(btrim(t)) > 10 and (right(btrim(t), 1) in ('Z', 'z')
         or substr(btrim(t), length(btrim(t)) - 5, 1) in ('+', '-')
         or substr(btrim(t), length(btrim(t)) - 4, 1) in ('+', '-')
         or substr(btrim(t), length(btrim(t)) - 2, 1) in ('+', '-'))
      then t::timestamptz
    else t::timestamp at time zone 'Asia/Ho_Chi_Minh' end
$fn$;
