-- The pages of the load's staging partition, which the check splits into parts (staging.py).
select pg_relation_size(%(partition)s::regclass) / current_setting('block_size')::int;
