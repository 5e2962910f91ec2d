#!/usr/bin/env bash
# Write .env for docker-compose.yaml from .env.example: every change-me-... value replaced by a fresh
# random secret (a Fernet key for AIRFLOW_FERNET_KEY, 64 hex digits otherwise: safe in URIs, and the
# 64 bytes an HS512 JWT key needs, so that Airflow logs no InsecureKeyLengthWarning) and
# AIRFLOW_UID set to the current user. Refuses to overwrite an existing .env.
#
#   bash deploy/make-env.sh [OUTPUT]        # OUTPUT defaults to .env next to docker-compose.yaml
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/.env}"
if [[ -e "$OUT" ]]; then
  echo "$OUT exists; not overwriting it (delete it first to start again)." >&2
  exit 1
fi
PY="$(command -v python3 || command -v python)" || { echo "python3 is needed to generate the secrets" >&2; exit 1; }
umask 077
"$PY" - "$ROOT/.env.example" "$OUT" "$(id -u)" <<'PY'
import base64, os, re, secrets, sys

example, out, uid = sys.argv[1:4]
lines = []
for line in open(example, encoding="utf-8").read().splitlines():
    m = re.match(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", line)
    if m:
        key, value = m.groups()
        if "change-me" in value:
            if key == "AIRFLOW_FERNET_KEY":
                value = base64.urlsafe_b64encode(os.urandom(32)).decode()
            else:
                value = secrets.token_hex(32)
        elif key == "AIRFLOW_UID" and uid != "0":
            value = uid
        line = f"{key}={value}"
    lines.append(line)
with open(out, "w", encoding="utf-8") as fh:
    fh.write("\n".join(lines) + "\n")
PY
echo "wrote $OUT (mode 600). Next: docker compose build && docker compose up airflow-init && docker compose up -d"
