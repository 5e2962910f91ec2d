-- The embedded server's settings in force, by name (plugins/ispeed/warehouse/connection.py:
-- EMBEDDED_SETTINGS), as SHOW prints them ('512MB', 'minimal'). Parameters: names (text[]).
select n.name, current_setting(n.name) as value
from unnest(%(names)s::text[]) as n(name)
