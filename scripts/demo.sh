#!/usr/bin/env bash
# The demo: a month of sample data through the monthly DAG, on the embedded PostgreSQL.
#   MONTH=2024-10 ROWS=100000 make demo
#   PROVINCE=48 make demo      (Đà Nẵng: ISPEED_PROVINCE=48, its own data folder .data/province-48)
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -n "${PROVINCE:-}" ]; then
  # the province code as provinces.csv spells it: two digits ("1" -> "01")
  case "$PROVINCE" in
    *[!0-9]*) echo "PROVINCE=$PROVINCE: a province code of include/reference/provinces.csv, e.g. PROVINCE=48" >&2; exit 2 ;;
  esac
  PROVINCE="$(printf '%02d' "$((10#$PROVINCE))")"
  export ISPEED_PROVINCE="$PROVINCE"
  # Another province's warehouse, landing folders and Airflow database are not Hải Phòng's
  # (the default, .data): unless ISPEED_DATA_DIR says otherwise, they live in .data/province-NN.
  if [ "$PROVINCE" != "31" ] && [ -z "${ISPEED_DATA_DIR:-}" ]; then
    export ISPEED_DATA_DIR="$PWD/.data/province-$PROVINCE"
  fi
fi
source scripts/airflow_env.sh
mkdir -p "$ISPEED_DATA_DIR/demo"
LOG="$ISPEED_DATA_DIR/demo/airflow-dags-test.log"

MONTH="${MONTH:-$(python -c 'import datetime as d; t=d.date.today().replace(day=1)-d.timedelta(days=1); print(f"{t:%Y-%m}")')}"
# 50 000 tests, or 2 500 per unit of the month when that is more (285 000 for Hải Phòng's 114 xã,
# phường and đặc khu), so that the busier units have enough tests for a verdict of their own.
ROWS="${ROWS:-$(python -c "import datetime as d; from ispeed import geography as g; \
print(max(50000, 2500 * len(g.areas_in(d.date.fromisoformat('$MONTH-01')))))")}"
# The scheduled run that reports MONTH fires at 07:00 on the 15th of the month after it.
RUN_AT="$(python -c "import sys; y,m=map(int,'$MONTH'.split('-')); y,m=(y+1,1) if m==12 else (y,m+1); print(f'{y:04d}-{m:02d}-15T07:00:00+07:00')")"

PLACE="$(python -c "import datetime as d; from ispeed import geography as g; m=d.date.fromisoformat('$MONTH-01'); \
print(f'{g.province(m).full_name} ({g.province_code()}), {len(g.areas_in(m))} {g.unit_words(m)[\"units\"]}')")"
# Each step says how long the one before took (the demo should take about two minutes).
STEP_AT=$SECONDS
took() { echo "   ($((SECONDS - STEP_AT)) s)"; STEP_AT=$SECONDS; }
echo "== 1/6 sample data for $PLACE: $ROWS i-Speed measurements for $MONTH"
python -m ispeed generate --month "$MONTH" --rows "$ROWS"

took
echo "== 2/6 the agencies' and operators' returns by mail, and beside them a year of history"
# The warehouse started and migrated once, before two steps use it at the same time.
python -m ispeed warehouse migrate > /dev/null
# A year of history: the 11 months before MONTH, small ones (python -m ispeed history), in the
# background: its months and the mail's are different rows under different locks.
HISTORY_LOG="$ISPEED_DATA_DIR/demo/history.log"
python -m ispeed history --before "$MONTH" > "$HISTORY_LOG" 2>&1 &
HISTORY_PID=$!
trap 'kill "$HISTORY_PID" 2>/dev/null || true' EXIT
# The returns arrive by mail (issue 25, docs/mailbox.md): a local IMAP server (pymap, in memory) is
# started, each sender's sample returns are sent to it from the sender's registered address, and
# the mailbox is pulled as the DAG ispeed_returns_mailbox does: filed by content into landing/,
# loaded, every message answered (the replies in outbox/mailbox/ without smtp_default).
echo "   the returns by mail: python -m ispeed pull-returns against a local IMAP server"
IMAP_PORT="$(python -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")"
python -m ispeed.devtools.mail_returns --month "$MONTH" --port "$IMAP_PORT"
echo "   a year of history (python -m ispeed history --before $MONTH, log: $HISTORY_LOG):"
if ! wait "$HISTORY_PID"; then
  cat "$HISTORY_LOG"; echo "The history failed; its log is above"; exit 1
fi
trap - EXIT
grep -E "^[0-9]{4}-[0-9]{2} |^history:" "$HISTORY_LOG" | sed 's/^/   /'

took
echo "== 3/6 a throw-away signing certificate for the demo (docs/signing.md: a Department configures its own)"
eval "$(python -m ispeed signing demo-certificate --out "$ISPEED_DATA_DIR/demo/signing")"

took
echo "== 4/6 Airflow metadata database (SQLite in $AIRFLOW_HOME)"
airflow db migrate > "$ISPEED_DATA_DIR/demo/airflow-db-migrate.log" 2>&1 || {
  cat "$ISPEED_DATA_DIR/demo/airflow-db-migrate.log"; exit 1; }

took
echo "== 5/6 airflow dags test ispeed_monthly_report $RUN_AT (log: $LOG)"
airflow dags test ispeed_monthly_report "$RUN_AT" > "$LOG" 2>&1 &
DAG_PID=$!
trap 'kill "$DAG_PID" 2>/dev/null || true' EXIT
APPROVER="$(python -c "from ispeed.approval import approval_config as c; a=c().approvers; print(a[0].name if a else 'demo')")"
if [ "$(python -c 'from ispeed.approval import approval_config as c; print(c().mode)')" = "required" ]; then
  # The run renders the draft, mails the approver and waits (docs/approval.md). A person would open
  # Airflow > Browse > Required Actions; without an api-server (airflow dags test has none) the demo
  # answers on Airflow's metadata database, as this command does for anyone at the terminal.
  until python -m ispeed approve --month "$MONTH" --by "$APPROVER" --reason "Duyệt (make demo)" 2>/dev/null; do
    kill -0 "$DAG_PID" 2>/dev/null || break
    sleep 3
  done
  echo "   the draft waited for approval, as on the 15th; the demo approved it as a person would:"
  echo "   python -m ispeed approve --month $MONTH --by \"$APPROVER\"   (or Browse > Required Actions in the UI)"
fi
if ! wait "$DAG_PID"; then
  grep -E "ERROR|Error|error|Traceback" "$LOG" | tail -40
  echo "The DAG run failed; the whole log is in $LOG"; exit 1
fi
trap - EXIT
grep -q "state=success" "$LOG" || { tail -40 "$LOG"; echo "The DAG run did not succeed; see $LOG"; exit 1; }

took
echo "== 6/6 what is in the warehouse for $MONTH"
python -m ispeed status --month "$MONTH"
python -m ispeed warehouse stop >/dev/null
echo
PDF="$(ls -t "$ISPEED_DATA_DIR/reports/$MONTH/"*-ky-so-*.pdf 2>/dev/null | head -1)"
PDF="${PDF:-$(ls "$ISPEED_DATA_DIR/reports/$MONTH/"*.pdf | head -1)}"
echo "The report:     $PDF"
if command -v pdfsig >/dev/null 2>&1; then
  echo "                pdfsig: $(pdfsig "$PDF" 2>/dev/null | grep -E 'Signature Validation' | sed 's/^ *- //' | head -1)"
else
  echo "                $(python -m ispeed signing verify --pdf "$PDF")"
fi
echo "Its annex:      $ISPEED_DATA_DIR/reports/$MONTH/ (.xlsx and .csv)"
EML="$(ls -t "$ISPEED_DATA_DIR/outbox/$MONTH/"*.eml 2>/dev/null | head -1)"
if [ -n "$EML" ]; then
  echo "The email:      $EML (no SMTP connection smtp_default is configured, so it went to the outbox)"
else
  echo "The email:      not sent by this run (already delivered for $MONTH; see ispeed.meta_delivery)"
fi
echo "Airflow's log:  $LOG"
echo "Data folder:    $ISPEED_DATA_DIR (landing/, archive/, rejected/, validation/, reports/, outbox/, pgdata/)"
