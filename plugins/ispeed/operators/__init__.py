"""The project's own operators, where a task is more than one call into the package (today only the
report's approval, an ApprovalOperator of Airflow's standard provider)."""
