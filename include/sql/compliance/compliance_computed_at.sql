-- The time of the month's transaction: the computed_at stored on every row of the run.
select now()
