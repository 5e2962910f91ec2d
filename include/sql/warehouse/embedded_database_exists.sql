-- Whether the embedded server already has the warehouse's database.
select exists (select from pg_database where datname = %(name)s)
