-- The schema and the ledger of migrations, before the first migration runs (idempotent).
create schema if not exists ispeed;

create table if not exists ispeed.meta_schema_migration (
    version    int primary key,
    name       text not null,
    checksum   text not null,
    applied_at timestamptz not null default now()
);
