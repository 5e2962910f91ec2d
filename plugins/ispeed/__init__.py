"""ispeed: i-Speed measurements and monthly returns, from export file to the Ministry's report.

Plain, typed functions that the Airflow DAGs in dags/ call one per task, and that tests and the
command line (``python -m ispeed``) call without a scheduler.
"""

__version__ = "0.1.0"

import logging as _logging

# Great Expectations logs ~200 "Skipping registering function ..." lines at INFO on import
# (great_expectations/_docs_decorators.py), once per task log: they say nothing to a data engineer.
_logging.getLogger("great_expectations._docs_decorators").setLevel(_logging.WARNING)
# Nor its metric registry's "Multiple declarations of metric ..." on import, wherever it is first
# imported (ispeed.gx_context quiets the rest while a suite runs).
_logging.getLogger("great_expectations.expectations.registry").setLevel(_logging.WARNING)
