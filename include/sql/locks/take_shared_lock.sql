-- Wait for the shared advisory lock of a key: many holders at once, none while the exclusive one is held.
select pg_advisory_lock_shared(hashtext(%(key)s))
