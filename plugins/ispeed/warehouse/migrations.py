"""Versioned SQL migrations (include/sql/migrations/V<NNN>__<what>.sql), applied by the pipeline.

Each file runs once, in its own transaction, in version order; what ran is recorded in
``ispeed.meta_schema_migration`` with the file's checksum. An advisory lock keeps two tasks that
start together from applying the same file twice. A file edited after it was applied is an error:
change the schema with a new file instead.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from ispeed import paths
from ispeed.warehouse import connection as warehouse
from ispeed.warehouse import locks

log = logging.getLogger(__name__)

_FILE = re.compile(r"^V(\d{3,})__([a-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def checksum(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


class MigrationError(RuntimeError):
    pass


def discover(folder: Path | None = None) -> list[Migration]:
    folder = folder or paths.SQL_DIR / "migrations"
    found = []
    for path in sorted(folder.glob("*.sql")):
        match = _FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path}: migration files are named V<NNN>__<what>.sql")
        found.append(Migration(int(match.group(1)), match.group(2), path))
    versions = [m.version for m in found]
    if len(versions) != len(set(versions)):
        raise MigrationError(f"two migration files in {folder} share a version number")
    return found


def migrate(where: warehouse.Target | None = None) -> list[str]:
    """Apply the migrations not yet applied. Returns the names of those applied now."""
    applied_now: list[str] = []
    conn = warehouse.connect(where)
    try:
        conn.autocommit = True
        with locks.held(conn, locks.MIGRATIONS), conn.cursor() as cur:
            cur.execute(paths.read_sql("warehouse/create_migration_ledger.sql"))
            cur.execute(paths.read_sql("warehouse/applied_migrations.sql"))
            done = dict(cur.fetchall())
            for mig in discover():
                if mig.version in done:
                    if done[mig.version] != mig.checksum:
                        raise MigrationError(
                            f"{mig.path.name} was changed after it was applied to the warehouse; "
                            "put the change in a new migration file instead"
                        )
                    continue
                _apply(conn, mig)
                applied_now.append(mig.path.name)
                log.info("applied migration %s", mig.path.name)
    finally:
        conn.close()
    return applied_now


def _apply(conn, mig: Migration) -> None:
    """One migration and its record, in one transaction."""
    conn.autocommit = False
    try:
        with conn.cursor() as tx:
            tx.execute(mig.sql)
            tx.execute(
                paths.read_sql("warehouse/record_migration.sql"),
                {"version": mig.version, "name": mig.name, "checksum": mig.checksum},
            )
        conn.commit()
    except Exception as exc:
        conn.rollback()
        raise MigrationError(f"migration {mig.path.name} failed: {exc}") from exc
    finally:
        conn.autocommit = True
