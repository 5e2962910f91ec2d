-- A migration applied, in the same transaction as its file.
insert into ispeed.meta_schema_migration (version, name, checksum)
values (%(version)s, %(name)s, %(checksum)s)
