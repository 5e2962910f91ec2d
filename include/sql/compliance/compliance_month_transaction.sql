-- The month's transaction, and each part's: one snapshot of the facts for every file; now() is the
-- same on every row of the run. First in the transaction (compliance/runner.py).
set transaction isolation level repeatable read
