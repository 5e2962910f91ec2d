-- Wait for the advisory lock of a key, held until the transaction ends.
select pg_advisory_xact_lock(hashtext(%(key)s))
