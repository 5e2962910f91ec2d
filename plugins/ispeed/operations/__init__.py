"""Operating the pipeline: failure alerts, reminders (đôn đốc), the report's deadline, the run
summary and the month's status."""
