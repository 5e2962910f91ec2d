-- One setting of the embedded server, kept in its postgresql.auto.conf for every later start
-- (plugins/ispeed/warehouse/connection.py: EMBEDDED_SETTINGS). The name is composed with
-- psycopg2.sql.Identifier; the value is a literal. Parameters: value.
alter system set {name} = %(value)s
