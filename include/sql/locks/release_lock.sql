select pg_advisory_unlock(hashtext(%(key)s))
