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
# A base temp folder of its own: pytest prunes old numbered ones, which would pull the data folder
# from under the embedded PostgreSQL of another test session running at the same time.
BASETEMP="$(mktemp -d "${TMPDIR:-/tmp}/ispeed-pytest-XXXXXX")"
trap 'rm -rf "$BASETEMP"' EXIT
python -m pytest -q -p no:cacheprovider --basetemp="$BASETEMP" "${@:-tests}"
