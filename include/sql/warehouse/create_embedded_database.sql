-- The embedded server's warehouse database ({database}: composed with psycopg2.sql.Identifier).
create database {database}
