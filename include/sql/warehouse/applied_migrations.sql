-- The migrations applied so far, with the checksum of the file as it was applied.
select version, checksum from ispeed.meta_schema_migration
