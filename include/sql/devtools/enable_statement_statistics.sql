-- pg_stat_statements in the current database, where the server loads it (shared_preload_libraries:
-- the embedded server's EMBEDDED_SETTINGS); elsewhere this fails and the benchmark goes without.
create extension if not exists pg_stat_statements
