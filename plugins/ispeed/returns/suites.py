"""The expectation suites of the two kinds of return (Great Expectations 1.x): built from the
rules (rules.py), run on the typed DataFrame of a load (every row of every readable file of the
month; returns are small, so pandas is fine), and what the outcome says about each row.

GX validates the frame with result_format COMPLETE, and the row-level outcome (which row broke
which rule, hence which cell is wrong) is read from GX's own ``unexpected_index_list``, so the
quarantine cannot disagree with the suite. The suite asserts that the frame carries the typed
columns.

Great Expectations is imported inside the functions: importing it takes seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ispeed.gx_context import ephemeral_context, save_result
from ispeed.returns.contract import ReturnKind
from ispeed.returns.rules import Context, ReturnRule, Row, agency_rules, operator_rules

SUITE_VERSION = "1"


@dataclass
class SuiteOutcome:
    """What one run of a suite found."""

    success: bool
    element_count: int
    unexpected: dict[str, int]  # rule -> rows breaking it
    failing: dict[str, list[int]]  # rule -> frame indexes breaking it (from GX)
    document: dict  # GX's own JSON (NaN made null)

    def summary(self) -> dict:
        return {"success": self.success, "element_count": self.element_count, "unexpected": self.unexpected}


def build_suite(name: str, rules: list[ReturnRule], required_columns: list[str]):
    """The GX ExpectationSuite: the frame carries the typed columns, then one expectation per rule."""
    import great_expectations as gx
    from great_expectations.expectations.row_conditions import Column

    suite = gx.ExpectationSuite(name=name, meta={"version": SUITE_VERSION})
    for column in required_columns:
        suite.add_expectation(gx.expectations.ExpectColumnToExist(column=column, meta={"rule": f"has_column_{column}"}))
    for rule in rules:
        kwargs = dict(rule.kwargs)
        if "row_condition" in kwargs:
            column, test = kwargs.pop("row_condition")
            kwargs["row_condition"] = getattr(Column(column), test)()
        cls = getattr(gx.expectations, rule.expectation)
        suite.add_expectation(cls(meta={"rule": rule.name}, **kwargs))
    return suite


def run_suite(frame, kind: ReturnKind, rules: list[ReturnRule], required_columns: list[str]) -> SuiteOutcome:
    """Validate the frame (a pandas DataFrame with a 0..n-1 index) with Great Expectations in an
    ephemeral context. Raises RuntimeError when an expectation could not be evaluated: that is
    a fault of the suite, not of a return."""
    import great_expectations as gx

    suite_name = f"ispeed_{kind.dataset}"
    with ephemeral_context() as context:
        source = context.data_sources.add_pandas(name="returns")
        asset = source.add_dataframe_asset(name=kind.dataset)
        batch = asset.add_batch_definition_whole_dataframe("load")
        suite = context.suites.add(build_suite(suite_name, rules, required_columns))
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(name=suite_name, data=batch, suite=suite)
        )
        result = definition.run(batch_parameters={"dataframe": frame}, result_format="COMPLETE")
    unexpected: dict[str, int] = {}
    failing: dict[str, list[int]] = {}
    element_count = len(frame)
    for res in result.results:
        rule = res.expectation_config.meta.get("rule")
        info = res.exception_info or {}
        raised = (
            info.get("raised_exception")
            if isinstance(info, dict) and "raised_exception" in info
            else any(v.get("raised_exception") for v in info.values() if isinstance(v, dict))
        )
        if raised:
            raise RuntimeError(f"Great Expectations could not evaluate rule {rule} of {suite_name}: {info}")
        if rule.startswith("has_column_"):
            if not res.success:
                raise RuntimeError(f"the {kind.dataset} frame lacks column {rule[len('has_column_') :]} (a bug)")
            continue
        indexes = [int(i) for i in (res.result.get("unexpected_index_list") or [])]
        failing[rule] = indexes
        unexpected[rule] = int(res.result.get("unexpected_count") or 0)
    return SuiteOutcome(bool(result.success), element_count, unexpected, failing, _json_safe(result.to_json_dict()))


def _json_safe(value):
    """GX's JSON with NaN and infinities as null (PostgreSQL's jsonb refuses them)."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    return value


@dataclass
class RowProblems:
    rules: list[str]  # every rule the row breaks, in the suite's order
    cells: list[str]  # the cell of each message ("E7"), first one first
    messages: list[str]  # one per wrong cell


def row_problems(
    frame, kind: ReturnKind, rules: list[ReturnRule], outcome: SuiteOutcome, context: Context
) -> dict[int, RowProblems]:
    """frame index -> what is wrong with that row, for the rows that break a rule. A cell wrong
    for several reasons is reported once, for the first rule in the suite's order."""
    broken: dict[int, list[ReturnRule]] = {}
    for rule in rules:
        for index in outcome.failing.get(rule.name, []):
            broken.setdefault(index, []).append(rule)
    records = frame.to_dict("index")
    problems: dict[int, RowProblems] = {}
    for index, row_rules in sorted(broken.items()):
        row = Row(records[index], kind, context)
        whole = [r for r in row_rules if r.whole_row]
        out = RowProblems([r.name for r in row_rules], [], [])
        seen: set[str] = set()
        for rule in whole[:1] or row_rules:
            column = rule.cell(row)
            cell = row.ref(column) or f"{kind.column(column).heading_vi} (dòng {row.line})"
            if cell in seen:
                continue
            seen.add(cell)
            out.cells.append(cell)
            out.messages.append(rule.message(row))
        if records[index].get("row_hidden") is True:
            out.messages[0] += f" (dòng {row.line} đang bị ẩn: chọn các dòng quanh nó, nhấp chuột phải, Unhide/Bỏ ẩn)"
        problems[index] = out
    return problems


__all__ = [
    "Context",
    "ReturnRule",
    "RowProblems",
    "SuiteOutcome",
    "agency_rules",
    "build_suite",
    "operator_rules",
    "row_problems",
    "run_suite",
    "save_result",
]
