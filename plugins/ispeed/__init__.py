"""ispeed: i-Speed measurements and monthly returns, from export file to the Ministry's report.

Plain, typed functions that the Airflow DAGs in dags/ call one per task, and that tests and the
command line (``python -m ispeed``) call without a scheduler.
"""

__version__ = "0.1.0"
