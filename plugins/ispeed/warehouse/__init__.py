"""The warehouse: the connection, migrations, reference data, the load ledger and advisory locks."""
