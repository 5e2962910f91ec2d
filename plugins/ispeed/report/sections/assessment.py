"""Section VIII, the end of the body: "ĐÁNH GIÁ CHUNG VÀ KIẾN NGHỊ, ĐỀ XUẤT", written from the data.

1. Đánh giá chung: the operators below the threshold and for how many consecutive months, those
   without enough data, the units below it for layout.PERSISTENT_MONTHS months or more, the senders
   without a return for layout.MISSING_MONTHS months or more, where the report's verdict and VNNIC's
   differ; an item with nothing to report says so in a sentence (never an empty list).
2. Kiến nghị, đề xuất: a proposal for each finding that calls for one, and a closing one.

Every sentence is a template of include/templates/report/assessment.yaml (the Department edits
them): this module only chooses the sentences that apply and fills their {placeholders}
(findings.py has the facts).
"""

from __future__ import annotations

import string
from pathlib import Path

import yaml

from ispeed import geography, paths
from ispeed.months import next_month, previous_month
from ispeed.report import fmt
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, MEETS
from ispeed.report.findings import methods_differ, operator_streaks, senders_missing
from ispeed.report.layout import (
    MAX_NAMED,
    MISSING_MONTHS,
    PERSISTENT_MONTHS,
    annex_name,
    below,
    persistent,
)
from ispeed.report.sections.builder import Builder, method_2, reason_words
from ispeed.report.styles import esc, para
from ispeed.report.units import unit_words

TEMPLATE = "assessment.yaml"


class ReportTemplateError(ValueError):
    """A sentence of assessment.yaml cannot be filled: the message names it and the placeholder."""


def template_path() -> Path:
    return paths.TEMPLATES_DIR / "report" / TEMPLATE


class Texts:
    """assessment.yaml's sentences, filled with the month's placeholders and a sentence's own."""

    def __init__(self, path: Path, context: dict):
        with path.open(encoding="utf-8") as fh:
            self.raw = yaml.safe_load(fh) or {}
        self.path = path
        self.context = context

    def __call__(self, *keys: str, **values) -> str:
        node = self.raw
        for key in keys:
            if not isinstance(node, dict) or key not in node:
                raise ReportTemplateError(f"{self.path}: {'.'.join(keys)} is missing")
            node = node[key]
        if node in (None, ""):
            return ""
        text = str(node)
        names = {**self.context, **values}
        try:
            wanted = {f for _, f, _, _ in string.Formatter().parse(text) if f is not None}
        except ValueError as exc:
            raise ReportTemplateError(f"{self.path}: {'.'.join(keys)}: {exc} (braces must pair: {{month}})") from None
        unknown = sorted(f for f in wanted if f not in names)
        if unknown:
            raise ReportTemplateError(
                f"{self.path}: {'.'.join(keys)}: unknown placeholder {{{unknown[0]}}}; this sentence may use "
                + ", ".join("{" + k + "}" for k in names)
            )
        return text.format_map(names)


def _context(b: Builder) -> dict:
    d, m = b.d, b.d.method
    w = unit_words(d.month)
    names = geography.names(d.report_date)
    return {
        "month": fmt.month_vi(d.month),
        "previous_month": fmt.month_vi(previous_month(d.month)),
        "next_month": fmt.month_vi(next_month(d.month)),
        "threshold": b.thr_text,
        "statistic": fmt.STATISTIC_VI.get(m.statistic, m.statistic),
        "network": fmt.network(m.network_type),
        "units": w["units"],
        "unit": w["unit"],
        "province_full": names["province_full"],
        "province_kind": names["province_kind"],
        "issuer": b.cfg.issuer.full_name,
        "recipient": b.cfg.document.recipient,
        "persistent_months": PERSISTENT_MONTHS,
        "missing_months": MISSING_MONTHS,
    }


def _names(rows) -> str:
    return ", ".join(r.operator_name for r in rows)


def _per_operator(t: Texts, b: Builder, rows) -> str:
    counts: dict[str, list] = {}
    order = {c.operator_code: i for i, c in enumerate(b.d.compliance)}
    for x in sorted(rows, key=lambda x: order.get(x.operator_code, len(order))):
        counts.setdefault(x.operator_name, []).append(x)
    return ", ".join(t("items", "per_operator", operator=n, count=fmt.number(len(xs))) for n, xs in counts.items())


def assessment(b: Builder) -> tuple[list[str], list[str]]:
    """(findings, proposals): the sentences of section VIII, plain text."""
    d = b.d
    t = Texts(template_path(), _context(b))
    findings: list[str] = []
    proposals: list[str] = []

    # the operators
    streaks = operator_streaks(d)
    insufficient = [c for c in d.compliance if c.verdict == INSUFFICIENT_DATA]
    if not d.compliance:
        findings.append(t("findings", "operators_none"))
    elif streaks:
        figures = {c.operator_code: b.mbps(c.figure_mbps) for c in d.compliance}
        items = []
        for s in streaks:
            key = (
                "operator_first_month"
                if s.months == 1
                else "operator_months_at_least"
                if s.at_least
                else "operator_months"
            )
            items.append(
                t(
                    "items",
                    key,
                    operator=s.operator_name,
                    figure=figures[s.operator_code],
                    months=s.months,
                    since=fmt.month_vi(s.since),
                )
            )
        findings.append(t("findings", "operators_below", operators=", ".join(items), count=len(streaks)))
        proposals.append(t("proposals", "operators_below", operators=_names(streaks)))
    elif any(c.verdict == MEETS for c in d.compliance):
        findings.append(t("findings", "operators_below_none"))
    if insufficient:
        why: dict[str, list[str]] = {}  # the operators of one reason together: "Itel, Reddi (không có phép đo)"
        for c in insufficient:
            reason = reason_words(c.insufficient_reason, d.method) if c.insufficient_reason else b.floors_text()
            why.setdefault(reason, []).append(c.operator_name)
        items = [
            t("items", "operator_insufficient", operator=", ".join(names), reason=reason)
            for reason, names in why.items()
        ]
        findings.append(t("findings", "operators_insufficient", operators="; ".join(items)))

    # the units
    if any(not x.unassigned for x in d.districts):
        rows = persistent(d)
        if rows:
            places = [p for p in (b.refs.get("persistent"), annex_name(d, "below")) if p]
            where = " và ".join(places) if places else "mục II"
            findings.append(
                t(
                    "findings",
                    "units_persistent",
                    count=fmt.number(len(rows)),
                    per_operator=_per_operator(t, b, rows),
                    where=where,
                )
            )
            proposals.append(t("proposals", "units_persistent", count=fmt.number(len(rows))))
        else:
            findings.append(t("findings", "units_persistent_none"))
        planned = {(r.operator_code, r.area_code) for r in d.remedies}
        unplanned = [x for x in below(d) if (x.operator_code, x.area_code) not in planned]
        if unplanned:
            operators = list(dict.fromkeys(x.operator_name for x in unplanned))
            proposals.append(
                t("proposals", "units_unplanned", operators=", ".join(operators), count=fmt.number(len(unplanned)))
            )

    # the senders
    missing = senders_missing(d)
    if d.agencies or d.investments:
        if missing:
            where = annex_name(d, "agencies") or "mục I"
            if len(missing) > MAX_NAMED:
                groups: dict[str, int] = {}
                for s in missing:
                    g = s.group or ("Doanh nghiệp viễn thông" if s.kind == "operator" else "Cơ quan, đơn vị khác")
                    groups[g] = groups.get(g, 0) + 1
                listed = t(
                    "items",
                    "senders_many",
                    count=fmt.number(len(missing)),
                    groups="; ".join(f"{g}: {fmt.number(n)}" for g, n in groups.items()),
                    where=where,
                )
                named = t("items", "senders_many_proposal", count=fmt.number(len(missing)), where=where)
            else:
                listed = "; ".join(t("items", "sender_months", sender=s.name, months=s.months) for s in missing)
                named = "; ".join(s.name for s in missing)
            findings.append(t("findings", "senders_missing", count=fmt.number(len(missing)), senders=listed))
            proposals.append(t("proposals", "senders_missing", senders=named))
        else:
            findings.append(t("findings", "senders_missing_none"))

    # the two methods (from method 2.0)
    if method_2(d) and d.compliance:
        ops, units = methods_differ(d)
        if ops:
            items = [
                t(
                    "items",
                    "method_differs",
                    operator=c.operator_name,
                    figure=b.mbps(c.figure_mbps),
                    verdict=fmt.VERDICT_VI[c.verdict].lower(),
                    vnnic_figure=b.mbps(c.vnnic_median_mbps),
                    vnnic_verdict=fmt.VERDICT_VI[c.vnnic_verdict].lower(),
                )
                for c in ops
            ]
            findings.append(t("findings", "methods_differ", operators=", ".join(items)))
            proposals.append(t("proposals", "methods_differ", operators=_names(ops)))
        if units:
            where = annex_name(d, "units") or b.refs.get("units") or "mục IV"
            findings.append(t("findings", "methods_differ_units", count=fmt.number(len(units)), where=where))
        if not ops and not units and any(c.verdict in (MEETS, DOES_NOT_MEET) for c in d.compliance):
            findings.append(t("findings", "methods_differ_none"))

    measured = [c for c in insufficient if c.tests]  # an operator without any test: nothing to ask of users
    if measured:
        proposals.append(t("proposals", "insufficient", operators=_names(measured)))
    proposals.append(t("proposals", "always"))
    return [f for f in findings if f], [p for p in proposals if p]


def section_assessment(b: Builder) -> list:
    t = Texts(template_path(), _context(b))
    findings, proposals = assessment(b)
    out: list = [para(f"VIII. {esc(t('heading'))}", b.s.h1)]
    if findings:
        out.append(para(esc(t("findings_heading")), b.s.h2))
        out += [para("- " + esc(f), b.s.body) for f in findings]
    if proposals:
        out.append(para(esc(t("proposals_heading")), b.s.h2))
        out += [para("- " + esc(p), b.s.body) for p in proposals]
    return out
