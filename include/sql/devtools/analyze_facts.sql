-- The planner's statistics of every month's facts, after the benchmark filled its history.
analyze ispeed.fact_measurement
