"""The functions the monthly DAG's tasks call, one per task. Each takes plain arguments and
returns something small enough for XCom (a dict of counts), so that a test or a shell can call it
without a scheduler."""

from __future__ import annotations

import logging
from datetime import date

from . import measurements, migrations, reference, warehouse
from .config import pipeline_config
from .months import month_label

log = logging.getLogger(__name__)


def prepare_warehouse() -> dict:
    """Apply pending migrations and load the reference data (operators, areas, aliases)."""
    where = warehouse.target()
    log.info("warehouse: %s", where.describe())
    applied = migrations.migrate(where)
    with warehouse.connection(where) as conn:
        counts = reference.sync_reference(conn)
    return {"migrations_applied": applied, "reference": counts}


def load_measurements(month: date, *, run_id: str | None = None, reload: bool = False) -> dict:
    """Load the month's i-Speed exports; fail after committing when a file was rejected (see
    fail_on_rejected_file in include/config/pipeline.yaml)."""
    summary = measurements.load_month(month, run_id=run_id, reload=reload)
    print(summary.report())
    if summary.rejected and pipeline_config().fail_on_rejected_file:
        names = "; ".join(f.error or f.name for f in summary.rejected)
        raise measurements.RejectedFilesError(
            f"{len(summary.rejected)} file(s) of {month_label(month)} rejected (the other files were loaded): {names}. "
            "Rejected files were moved to the rejected/ folder; put a corrected file in the landing folder and re-run."
        )
    return {k: v for k, v in summary.as_dict().items() if k != "files"} | {
        "files": [{"name": f.name, "status": f.status, "rows_read": f.rows_read, "rows_loaded": f.rows_loaded,
                   "rows_quarantined": f.rows_quarantined, "rows_duplicate": f.rows_duplicate} for f in summary.files]
    }


def compute_compliance(month: date, *, run_id: str | None = None) -> dict:
    """4G compliance per operator and district (include/sql/compliance/), stored in
    ispeed.mart_compliance_*; replaces the month atomically."""
    from . import compliance

    summary = compliance.compute_month(month, run_id=run_id)
    print(compliance.format_summary(summary))
    return summary
