-- Wait for the advisory lock of a key (held until released or the session ends).
select pg_advisory_lock(hashtext(%(key)s))
