-- The month's partition of the facts after its load (outside a transaction): hint bits written
-- once, and the planner's statistics of the month.
vacuum (analyze) {partition};
