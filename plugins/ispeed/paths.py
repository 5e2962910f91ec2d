"""Where things are: the repository's own files, and the data folder the pipeline writes to."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository (or, in a container, the folder that holds dags/, plugins/ and include/).
PROJECT_ROOT = Path(os.environ.get("ISPEED_PROJECT_ROOT", Path(__file__).resolve().parents[2]))
INCLUDE = PROJECT_ROOT / "include"
SQL_DIR = INCLUDE / "sql"
TEMPLATES_DIR = INCLUDE / "templates"
CONFIG_DIR = Path(os.environ.get("ISPEED_CONFIG_DIR", INCLUDE / "config"))
REFERENCE_DIR = Path(os.environ.get("ISPEED_REFERENCE_DIR", INCLUDE / "reference"))


def data_dir() -> Path:
    """The folder for everything the pipeline writes (landing, archive, reports, outbox, ...).

    ``ISPEED_DATA_DIR`` when set, else ``.data/`` in the project. Read on every call so that tests
    and the demo can point it elsewhere.
    """
    return Path(os.environ.get("ISPEED_DATA_DIR", PROJECT_ROOT / ".data")).resolve()


def sql_path(name: str) -> Path:
    return SQL_DIR / name


def read_sql(name: str) -> str:
    """The text of ``include/sql/<name>``."""
    return sql_path(name).read_text(encoding="utf-8")


def compose_sql(name: str, **parts):
    """The text of ``include/sql/<name>`` with its ``{placeholders}`` filled by ``psycopg2.sql``
    parts (identifiers, literals, other composed SQL): a ``psycopg2.sql.Composed``."""
    from psycopg2 import sql

    return sql.SQL(read_sql(name)).format(**parts)
