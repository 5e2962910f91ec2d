"""The measurement expectation suite (Great Expectations 1.x) and how its rules are enforced.

The suite, built in code from the configuration and the reporting month, is the one source of the
rules. It is used twice:

- row by row, in the warehouse: each expectation is translated into a SQL predicate
  (``row_rules``), so that every row that breaks one is quarantined with the rule's name while the
  rest of the file loads. This is set-based SQL, not a Python loop, so it scales with PostgreSQL.
- as a whole, by Great Expectations itself, on the checked staging table (``run_suite``). Its
  result (GX's JSON) is kept per load in the warehouse and under the validation folder, and its
  unexpected counts are the ones the quarantine must show (a test checks this).

Great Expectations is imported inside the functions: importing it takes seconds, and DAG parsing
must stay cheap.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from ispeed import geography
from ispeed.config import PipelineConfig
from ispeed.gx_context import ephemeral_context
from ispeed.gx_context import save_result as save_document
from ispeed.months import month_label

log = logging.getLogger(__name__)

SUITE_NAME = "ispeed_measurements"
SUITE_VERSION = "1"


@dataclass(frozen=True)
class Rule:
    """One expectation of the suite, with what the quarantine records when a row breaks it."""

    name: str  # the rule's name, as stored in fact_quarantine.rule
    expectation: str  # the GX expectation class
    column: str  # the typed column it checks
    source_column: str  # the export column a person should look at
    message: str  # what is wrong, for a person
    kwargs: dict[str, Any]


def measurement_rules(month: date, cfg: PipelineConfig) -> list[Rule]:
    """The rules, in the order in which they are reported (the first broken rule is the reason)."""
    lim = cfg.limits
    province = geography.province(month)
    merged = geography.merged_provinces(province.code)
    words = geography.unit_words(month, province.code)
    return [
        Rule(
            "row_well_formed",
            "ExpectColumnValuesToBeNull",
            "parse_error",
            "(row)",
            "the row has the wrong number of fields or is not valid JSON",
            {},
        ),
        Rule(
            "measurement_id_present",
            "ExpectColumnValuesToNotBeNull",
            "measurement_id",
            "measurement_id",
            "measurement_id is empty",
            {},
        ),
        Rule(
            "measurement_id_not_rounded",
            "ExpectColumnValuesToBeInSet",
            "measurement_id_rounded",
            "measurement_id",
            "measurement_id was rounded by Excel (scientific notation such as 1.23457E+11): different tests now "
            "share one id and the real id is lost. Download the export again from the i-Speed portal and deliver "
            "it as downloaded, or in Excel format the id column as Text before the data goes in (Data > From "
            "Text/CSV, column type Text) and save as CSV UTF-8",
            {"value_set": [False]},
        ),
        Rule(
            "measured_at_readable",
            "ExpectColumnValuesToNotBeNull",
            "measured_at",
            "measured_at",
            "measured_at is empty or not a date and time (ISO 8601 expected)",
            {},
        ),
        Rule(
            "measured_at_in_month",
            "ExpectColumnValuesToBeInSet",
            "month_label",
            "measured_at",
            f"measured_at is not in the month being processed ({month_label(month)}, Asia/Ho_Chi_Minh)",
            {"value_set": [month_label(month)]},
        ),
        Rule(
            "measured_at_not_in_future",
            "ExpectColumnValuesToBeInSet",
            "in_future",
            "measured_at",
            "measured_at is in the future (more than an hour after the load)",
            {"value_set": [False]},
        ),
        Rule(
            "operator_known",
            "ExpectColumnValuesToNotBeNull",
            "operator_code",
            "operator",
            "operator is empty or not a known operator; add the spelling to include/reference/aliases.csv if it is one",
            {},
        ),
        Rule(
            "network_type_known",
            "ExpectColumnValuesToNotBeNull",
            "network_type_code",
            "network_type",
            "network_type is empty or not one of 2G, 3G, 4G, 5G, WiFi, fixed",
            {},
        ),
        Rule(
            "province_matches",
            "ExpectColumnValuesToBeInSet",
            "province_code",
            "province",
            f"province is not {province.name_vi}"
            + (f" (nor, from 2025-07-01, {', '.join(p.name_vi for p in merged)}, now part of it)" if merged else ""),
            {"value_set": [province.code]},
        ),
        Rule(
            "district_known",
            "ExpectColumnValuesToNotBeNull",
            "area_code",
            "district",
            f"district is empty or not a unit ({words['units']}) of {province.name_vi} valid on the measurement's "
            "date, and the row does not name the province (a row that names it counts for the province, "
            f"as {words['unassigned']})",
            {},
        ),
        Rule(
            "decimal_mark_decided",
            "ExpectColumnValuesToBeNull",
            "ambiguous_numbers",
            "(numbers)",
            "a number such as 1.234 or 1,234 cannot be read: the file shows decimal commas and decimal points "
            "both, or neither, so it may be 1.234 or 1234 (meta_file.header_map says decimal_mark); export the "
            "file again with one decimal mark (Excel: File > Options > Advanced > Decimal separator)",
            {},
        ),
        Rule(
            "download_mbps_readable",
            "ExpectColumnValuesToNotBeNull",
            "download_mbps",
            "download_mbps",
            "download_mbps is empty or not a finite number",
            {},
        ),
        Rule(
            "download_mbps_in_range",
            "ExpectColumnValuesToBeBetween",
            "download_mbps",
            "download_mbps",
            f"download_mbps must be above 0 and at most {lim.max_download_mbps:g}",
            {"min_value": 0, "max_value": lim.max_download_mbps, "strict_min": True},
        ),
        Rule(
            "upload_mbps_readable",
            "ExpectColumnValuesToNotBeNull",
            "upload_mbps",
            "upload_mbps",
            "upload_mbps is empty or not a finite number",
            {},
        ),
        Rule(
            "upload_mbps_in_range",
            "ExpectColumnValuesToBeBetween",
            "upload_mbps",
            "upload_mbps",
            f"upload_mbps must be above 0 and at most {lim.max_upload_mbps:g}",
            {"min_value": 0, "max_value": lim.max_upload_mbps, "strict_min": True},
        ),
        Rule(
            "latency_ms_readable",
            "ExpectColumnValuesToNotBeNull",
            "latency_ms",
            "latency_ms",
            "latency_ms is empty or not a finite number",
            {},
        ),
        Rule(
            "latency_ms_in_range",
            "ExpectColumnValuesToBeBetween",
            "latency_ms",
            "latency_ms",
            f"latency_ms must be above 0 and at most {lim.max_latency_ms:g}",
            {"min_value": 0, "max_value": lim.max_latency_ms, "strict_min": True},
        ),
        Rule(
            "optional_values_readable",
            "ExpectColumnValuesToBeNull",
            "unreadable_optional",
            "(optional columns)",
            "an optional number (jitter_ms, latitude, longitude) is present but not a finite number",
            {},
        ),
        Rule(
            "jitter_ms_in_range",
            "ExpectColumnValuesToBeBetween",
            "jitter_ms",
            "jitter_ms",
            f"jitter_ms must be between 0 and {lim.max_jitter_ms:g}",
            {"min_value": 0, "max_value": lim.max_jitter_ms},
        ),
        Rule(
            "latitude_in_range",
            "ExpectColumnValuesToBeBetween",
            "latitude",
            "latitude",
            f"latitude must be between {lim.latitude[0]:g} and {lim.latitude[1]:g} (Viet Nam)",
            {"min_value": lim.latitude[0], "max_value": lim.latitude[1]},
        ),
        Rule(
            "longitude_in_range",
            "ExpectColumnValuesToBeBetween",
            "longitude",
            "longitude",
            f"longitude must be between {lim.longitude[0]:g} and {lim.longitude[1]:g} (Viet Nam)",
            {"min_value": lim.longitude[0], "max_value": lim.longitude[1]},
        ),
    ]


#: Checked on the loaded set as a whole, not row by row: a repeated id is counted as a duplicate
#: (the first occurrence loads), not quarantined.
UNIQUE_RULE = Rule(
    "measurement_id_unique",
    "ExpectColumnValuesToBeUnique",
    "measurement_id",
    "measurement_id",
    "measurement_id repeats",
    {},
)


def _literal(value: Any) -> str:
    """A SQL literal for a value of the suite (numbers and strings from code and config only)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(float(value))
    return "'" + str(value).replace("'", "''") + "'"


def pass_predicate(rule: Rule) -> str:
    """The SQL condition a row meets when it satisfies the rule, with GX's semantics (between and
    in-set ignore NULLs, as GX does)."""
    col = rule.column
    if not col.replace("_", "").isalnum():
        raise ValueError(f"rule {rule.name}: bad column {col!r}")
    kind = rule.expectation
    if kind == "ExpectColumnValuesToNotBeNull":
        return f"{col} is not null"
    if kind == "ExpectColumnValuesToBeNull":
        return f"{col} is null"
    if kind == "ExpectColumnValuesToBeInSet":
        values = ", ".join(_literal(v) for v in rule.kwargs["value_set"])
        return f"({col} is null or {col} in ({values}))"
    if kind == "ExpectColumnValuesToBeBetween":
        lo = ">" if rule.kwargs.get("strict_min") else ">="
        hi = "<" if rule.kwargs.get("strict_max") else "<="
        return (
            f"({col} is null or ({col} {lo} {_literal(rule.kwargs['min_value'])}"
            f" and {col} {hi} {_literal(rule.kwargs['max_value'])}))"
        )
    raise ValueError(f"rule {rule.name}: no SQL translation for {kind}")


def failed_rules_sql(rules: list[Rule]) -> str:
    """A SQL expression: the text[] of the rules the row breaks, in order (empty when none)."""
    # Most rows break no rule: the predicates alone (no array built, none removed) say so first.
    predicates = [pass_predicate(r) for r in rules]
    passes = "\n     and ".join(f"({p}) is not false" for p in predicates)
    parts = [f"case when not {p} then {_literal(r.name)} end" for p, r in zip(predicates, rules, strict=True)]
    listed = "array_remove(array[" + ",\n    ".join(parts) + "]::text[], null)"
    return f"case when {passes}\n  then '{{}}'::text[] else {listed} end"


def rules_table_sql(rules: list[Rule]) -> str:
    """A VALUES list (rule, column_name, message) to join quarantined rows to their message."""
    return (
        "(values "
        + ", ".join(f"({_literal(r.name)}, {_literal(r.source_column)}, {_literal(r.message)})" for r in rules)
        + ") as rule_info(rule, column_name, message)"
    )


def build_suite(rules: list[Rule]):
    """The GX ExpectationSuite for the rules (plus uniqueness of measurement_id)."""
    import great_expectations as gx

    suite = gx.ExpectationSuite(name=SUITE_NAME, meta={"version": SUITE_VERSION})
    for rule in [*rules, UNIQUE_RULE]:
        cls = getattr(gx.expectations, rule.expectation)
        suite.add_expectation(cls(column=rule.column, meta={"rule": rule.name, "message": rule.message}, **rule.kwargs))
    return suite


@dataclass
class SuiteResult:
    success: bool
    unexpected: dict[str, int]  # rule -> unexpected count
    element_count: int
    document: dict  # GX's own JSON
    docs_path: str | None = None  # GX's Data Docs (HTML), when asked for

    def summary(self) -> dict:
        return {
            "success": self.success,
            "element_count": self.element_count,
            "unexpected": self.unexpected,
            "data_docs": self.docs_path,
        }


#: What GX reports per expectation: counts and percentages, without the sample of unexpected values.
#: Each sample is one more scan of the month per expectation (1.7 s of GX's 2.9 s at a million rows),
#: and the quarantine already holds every failing row with its rule and the row as read.
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}


def run_suite(
    sqlalchemy_url: str,
    table: str,
    rules: list[Rule],
    docs_folder: Path | None = None,
    result_format: dict | str = RESULT_FORMAT,
) -> SuiteResult:
    """Run the suite with Great Expectations' SQL engine on ``table`` (schema-qualified name of a
    committed table) in an ephemeral context. With ``docs_folder``, GX's Data Docs (HTML) of the
    result are written there, for a data engineer to open (index.html)."""
    with ephemeral_context() as context:
        return _run_suite(context, sqlalchemy_url, table, rules, docs_folder, result_format)


def _run_suite(
    context, sqlalchemy_url: str, table: str, rules: list[Rule], docs_folder: Path | None, result_format: dict | str
) -> SuiteResult:
    import shutil
    from urllib.parse import unquote, urlparse

    import great_expectations as gx
    from great_expectations.checkpoint import UpdateDataDocsAction

    source = context.data_sources.add_sql(name="warehouse", connection_string=sqlalchemy_url)
    schema, name = table.split(".")
    asset = source.add_table_asset(name="checked_measurements", table_name=name, schema_name=schema)
    batch = asset.add_batch_definition_whole_table("load")
    suite = context.suites.add(build_suite(rules))
    definition = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{SUITE_NAME}_{name}", data=batch, suite=suite)
    )
    actions = [UpdateDataDocsAction(name="data_docs")] if docs_folder else []
    checkpoint = context.checkpoints.add(
        gx.Checkpoint(
            name=f"{SUITE_NAME}_{name}",
            validation_definitions=[definition],
            actions=actions,
            result_format=result_format,
        )
    )
    result = next(iter(checkpoint.run().run_results.values()))
    unexpected: dict[str, int] = {}
    element_count = 0
    for res in result.results:
        rule = res.expectation_config.meta.get("rule")
        unexpected[rule] = int(res.result.get("unexpected_count") or 0)
        element_count = max(element_count, int(res.result.get("element_count") or 0))
    docs_path = None
    if docs_folder:
        # The ephemeral context builds its site in a temporary folder: keep a copy, drop the rest.
        site = Path(unquote(urlparse(context.get_docs_sites_urls()[0]["site_url"]).path)).parent
        shutil.rmtree(docs_folder, ignore_errors=True)
        shutil.copytree(site, docs_folder)
        shutil.rmtree(site, ignore_errors=True)
        docs_path = str(docs_folder / "index.html")
    return SuiteResult(bool(result.success), unexpected, element_count, result.to_json_dict(), docs_path)


def save_result(result: SuiteResult, folder: Path, name: str) -> Path:
    """The load's Great Expectations result as ``<folder>/<name>.json``."""
    return save_document(result.document, folder, name)
