-- The warehouse database and its roles. A psql script: the postgres image runs it (as its
-- superuser, POSTGRES_USER) the first time the warehouse container starts on an empty data
-- volume, from /docker-entrypoint-initdb.d/. It can also be run by hand on any PostgreSQL 16 or
-- newer, as a superuser, with the same environment variables:
--
--   ISPEED_WAREHOUSE_PASSWORD=... psql -v ON_ERROR_STOP=1 -U postgres -d postgres -f 01-roles.sql
--
-- Running it again is safe: it creates what is missing and restates the grants and passwords.
--
-- What it makes (docs/deployment.md, "The warehouse roles"):
--   database ispeed        owned by the superuser; PUBLIC may not even connect to it;
--   role ispeed_pipeline   the one role the pipeline logs in as (connection ispeed_warehouse). It
--                          owns schema ispeed: the pipeline applies its own migrations at the start
--                          of every run and creates and drops staging partitions while it loads, so
--                          it must be able to create objects there. It has no rights anywhere else:
--                          NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS, no CREATE
--                          on schema public, no access to the other databases.
--   role ispeed_reader     NOLOGIN group role: read-only access to schema ispeed (now and to every
--                          table the pipeline creates later). Grant it to people and BI tools.
--
-- The pipeline runs "create schema if not exists ispeed" on every run (plugins/ispeed/migrations.py
-- and migration V001), and PostgreSQL checks the database's CREATE privilege before it looks whether
-- the schema exists. So ispeed_pipeline holds CREATE on the database, and an event trigger takes
-- back what that would allow beyond schema ispeed: a role that is not a superuser can create or
-- rename no other schema and create no extension or publication in this database.
--
-- Environment (only the password is required):
--   ISPEED_WAREHOUSE_PASSWORD  password of the runtime role
--   ISPEED_WAREHOUSE_DB        database name             (default ispeed)
--   ISPEED_WAREHOUSE_USER      runtime role name         (default ispeed_pipeline)
--   ISPEED_READER_ROLE         read-only group role name (default ispeed_reader)
--   ISPEED_INIT_LOCK_OTHER_DBS on/off: revoke PUBLIC's CONNECT and TEMPORARY on the server's other
--                              databases (postgres, template1)  (default on)

\set ON_ERROR_STOP on
\set QUIET on

\getenv warehouse_db ISPEED_WAREHOUSE_DB
\getenv pipeline_role ISPEED_WAREHOUSE_USER
\getenv pipeline_password ISPEED_WAREHOUSE_PASSWORD
\getenv reader_role ISPEED_READER_ROLE
\getenv lock_other_dbs ISPEED_INIT_LOCK_OTHER_DBS
\if :{?warehouse_db}
\else
  \set warehouse_db ispeed
\endif
\if :{?pipeline_role}
\else
  \set pipeline_role ispeed_pipeline
\endif
\if :{?reader_role}
\else
  \set reader_role ispeed_reader
\endif
\if :{?lock_other_dbs}
\else
  \set lock_other_dbs on
\endif
\if :{?pipeline_password}
\else
  \set pipeline_password ''
\endif

-- Refuse to go on without a password (the runtime role logs in over the network) or as a
-- role that is not a superuser (event triggers and role attributes need one).
select coalesce(:'pipeline_password', '') = '' as missing_password,
       not rolsuper as not_superuser
  from pg_roles where rolname = current_user \gset
\if :missing_password
  \echo 'ISPEED_WAREHOUSE_PASSWORD is not set: the warehouse runtime role needs a password (see .env.example)'
  select 1 / 0 as "ISPEED_WAREHOUSE_PASSWORD is not set";
\endif
\if :not_superuser
  \echo 'deploy/warehouse-init/01-roles.sql must be run by a superuser'
  select 1 / 0 as "not a superuser";
\endif

-- Roles. Attributes are restated on every run, so a role made by hand is brought back in line.
select format('create role %I', :'pipeline_role')
 where not exists (select from pg_roles where rolname = :'pipeline_role') \gexec
alter role :"pipeline_role" with login nosuperuser nocreatedb nocreaterole noreplication nobypassrls
  inherit password :'pipeline_password';

select format('create role %I', :'reader_role')
 where not exists (select from pg_roles where rolname = :'reader_role') \gexec
alter role :"reader_role" with nologin nosuperuser nocreatedb nocreaterole noreplication nobypassrls;

-- The database, owned by the superuser that runs this script (not by the pipeline: a database's
-- owner may drop it and change its settings).
select format('create database %I', :'warehouse_db')
 where not exists (select from pg_database where datname = :'warehouse_db') \gexec
revoke all on database :"warehouse_db" from public;
grant connect, temporary, create on database :"warehouse_db" to :"pipeline_role";
grant connect on database :"warehouse_db" to :"reader_role";

\if :lock_other_dbs
  -- The server's other databases: nobody but a superuser may connect to them.
  select format('revoke all on database %I from public', datname)
    from pg_database where datname <> :'warehouse_db' and datallowconn \gexec
\endif

\connect :"warehouse_db"
\set ON_ERROR_STOP on
\set QUIET on
set client_min_messages = warning;

-- Schema public: nobody creates anything there (PostgreSQL 15 and newer already default to this).
revoke create on schema public from public;

-- Schema ispeed belongs to the pipeline's role. The pipeline creates everything in it.
select format('create schema %I authorization %I', 'ispeed', :'pipeline_role')
 where not exists (select from pg_namespace where nspname = 'ispeed') \gexec
alter schema ispeed owner to :"pipeline_role";
revoke all on schema ispeed from public;

-- Read-only access for people and BI tools: the reader group sees every table and view in
-- schema ispeed, those that exist and those the pipeline creates later (its monthly partitions).
grant usage on schema ispeed to :"reader_role";
grant select on all tables in schema ispeed to :"reader_role";
alter default privileges for role :"pipeline_role" in schema ispeed grant select on tables to :"reader_role";

-- The guard on the database's CREATE privilege (see the top of this file). It lives in its own
-- schema, owned by the superuser, that only the superuser can write.
create schema if not exists ispeed_guard;
revoke all on schema ispeed_guard from public;
create or replace function ispeed_guard.only_schema_ispeed() returns event_trigger
language plpgsql as $fn$
declare
  obj record;
begin
  if current_setting('is_superuser') = 'on' then
    return;
  end if;
  for obj in select * from pg_event_trigger_ddl_commands() loop
    if (obj.object_type = 'schema' and obj.object_identity is distinct from 'ispeed')
       or obj.object_type in ('extension', 'publication') then
      raise exception 'role % may create or rename no % other than schema ispeed in this database (%)',
        current_user, obj.object_type, obj.object_identity
        using errcode = 'insufficient_privilege';
    end if;
  end loop;
end
$fn$;
drop event trigger if exists ispeed_only_schema_ispeed;
create event trigger ispeed_only_schema_ispeed on ddl_command_end
  when tag in ('CREATE SCHEMA', 'ALTER SCHEMA', 'CREATE EXTENSION', 'CREATE PUBLICATION')
  execute function ispeed_guard.only_schema_ispeed();

\echo 'warehouse: database' :warehouse_db ', runtime role' :pipeline_role ', read-only group' :reader_role
