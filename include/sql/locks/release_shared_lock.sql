select pg_advisory_unlock_shared(hashtext(%(key)s))
