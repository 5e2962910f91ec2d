#!/usr/bin/env bash
# The test suite: real PostgreSQL (embedded), real Airflow, real files. Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/airflow_env.sh
export AIRFLOW_HOME="$ISPEED_DATA_DIR/airflow-test"
mkdir -p "$AIRFLOW_HOME"
# The tests create their own databases and data folders; Airflow's metadata DB is SQLite.
airflow db migrate > "$ISPEED_DATA_DIR/airflow-test-db-migrate.log" 2>&1 || {
  cat "$ISPEED_DATA_DIR/airflow-test-db-migrate.log"; exit 1; }
exec python -m pytest -q -p no:cacheprovider "${@:-tests}"
