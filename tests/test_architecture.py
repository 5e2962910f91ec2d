"""The house's rules (docs/architecture.md), checked on the code: every room imports only from its own
floor or the floors below it, no module is over 400 lines, no SQL statement on ispeed.* stands in a
Python string, and every SQL file the code names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "plugins" / "ispeed"

#: Each room of plugins/ispeed and its floor: data flows down the floors, imports point down.
FLOORS = {
    # the ground: where things are, the settings, months, names, the warehouse's tables as Airflow Assets
    "paths": 0, "months": 0, "text": 0, "figures": 0, "ispeed": 0, "assets": 0, "config": 0.5, "geography": 0.7,
    # the warehouse, the mail transport and Great Expectations' context, which know no dataset
    "warehouse": 1, "mail": 1, "gx_context": 1,
    # the datasets: extract, validate, load
    "measurements": 2, "returns": 2,
    # compute
    "compliance": 3,
    # report
    "report": 4,
    # deliver
    # sign (a PDF signed with a certificate; knows no report)
    "signing": 1.5,
    "report_email": 5, "delivery": 5.5,
    # operate, and the report's approval (which alerts as operations do)
    "operations": 6, "approval": 6.5,
    # returns that arrive by mail: pulled, filed, loaded (returns), answered (operations' mail)
    "mailbox": 6.3,
    # the adapter to Airflow (tasks), the wiring both DAGs share, the developers' tools, the command line
    "tasks": 7, "operators": 7.5, "task_groups": 8, "devtools": 8, "__main__": 9, "bench": 9,
}  # fmt: skip


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG.parent).with_suffix("")
        yield path, ".".join(p for p in rel.parts if p != "__init__")


def _room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "ispeed"


def _imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "ispeed":
            if node.module == "ispeed":
                found += [(node.lineno, f"ispeed.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "ispeed"]
    return found


def test_every_room_has_a_floor():
    rooms = {_room(module) for _, module in _modules()}
    assert rooms <= set(FLOORS), f"rooms without a floor in FLOORS and docs/architecture.md: {rooms - set(FLOORS)}"


def test_imports_point_down_the_floors():
    upward = []
    for path, module in _modules():
        src = _room(module)
        for line, target in _imports(path):
            dst = _room(target) if target != "ispeed.__version__" else "ispeed"
            if dst != src and FLOORS[dst] >= FLOORS[src]:  # a room of the same floor is a neighbour: no
                upward.append(f"{path.relative_to(ROOT)}:{line} ({src}, floor {FLOORS[src]}) imports {target} "
                              f"({dst}, floor {FLOORS[dst]})")  # fmt: skip
    assert upward == []


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p, _ in _modules() if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


_STATEMENT = re.compile(
    r"^\s*(select|insert|update|delete|create|alter|drop|truncate|with|copy|vacuum|analyze)\b[^\n]*\bispeed\.",
    re.IGNORECASE,
)


def test_no_sql_statement_on_the_warehouse_in_a_python_string():
    inline = []
    for path, _ in _modules():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and _STATEMENT.search(node.value):
                inline.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value.strip()[:80]}")
    assert inline == []


@pytest.mark.parametrize("where", ["plugins", "dags"])
def test_every_sql_file_named_in_the_code_exists(where):
    named = set()
    for path in (ROOT / where).rglob("*.py"):
        named |= set(re.findall(r"""["']([a-z_]+/[a-z0-9_]+\.sql)["']""", path.read_text(encoding="utf-8")))
    missing = sorted(n for n in named if not (ROOT / "include" / "sql" / n).is_file())
    assert missing == []
