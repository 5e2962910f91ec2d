"""The machine-readable annex: the report's tables as one .xlsx (a sheet per table) and one CSV per
table, for the Ministry to merge with other provinces' figures.

Columns have machine-friendly names (snake_case, units in the name), values are raw (speeds in
Mbps with a decimal point, shares as fractions, money in đồng, dates ISO 8601), every row carries
its ``month`` so that months can be stacked. CSV files are UTF-8 with a BOM (Excel then reads the
Vietnamese names right), comma-separated, CRLF line ends (RFC 4180).

Both are deterministic: the .xlsx is re-packed with fixed timestamps, so equal data gives equal
bytes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ispeed.report.data import ReportData


@dataclass(frozen=True)
class AnnexTable:
    name: str  # sheet name and CSV suffix, e.g. "3_compliance"
    title: str  # Vietnamese title (the first sheet lists them)
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]


def annex_tables(data: ReportData) -> list[AnnexTable]:
    m = data.month_label
    meth = data.method
    tables = [
        AnnexTable(
            "1_agencies",
            "Kết quả cài đặt, sử dụng i-Speed theo cơ quan, đơn vị",
            (
                "month",
                "agency_code",
                "agency_name",
                "agency_group",
                "state",
                "staff_total",
                "installed",
                "measured",
                "measurements",
                "citizens_helped",
                "team_members_active",
                "note",
                "reason",
            ),
            [
                (
                    m,
                    a.agency_code,
                    a.agency_name,
                    a.group,
                    a.state,
                    a.staff_total,
                    a.installed,
                    a.measured,
                    a.measurements,
                    a.citizens_helped,
                    a.team_members_active,
                    a.note,
                    a.reason,
                )
                for a in data.agencies
            ],
        ),
        AnnexTable(
            "2a_operator_investment",
            "Đầu tư của doanh nghiệp viễn thông",
            (
                "month",
                "operator_code",
                "operator_name",
                "state",
                "sites_in_service_4g",
                "sites_in_service_5g",
                "sites_commissioned",
                "sites_upgraded_4g",
                "sites_upgraded_5g",
                "investment_vnd",
                "note",
                "reason",
            ),
            [
                (
                    m,
                    o.operator_code,
                    o.operator_name,
                    o.state,
                    o.sites_in_service_4g,
                    o.sites_in_service_5g,
                    o.sites_commissioned,
                    o.sites_upgraded_4g,
                    o.sites_upgraded_5g,
                    o.investment_vnd,
                    o.note,
                    o.reason,
                )
                for o in data.investments
            ],
        ),
        AnnexTable(
            "2b_remedies",
            "Giải pháp khắc phục tại quận, huyện dưới ngưỡng",
            ("month", "operator_code", "operator_name", "area_code", "area_name", "remedy", "due_date"),
            [
                (m, r.operator_code, r.operator_name, r.area_code, r.area_name, r.remedy, r.due_date)
                for r in data.remedies
            ],
        ),
        AnnexTable(
            "3_compliance",
            "Kết quả đo theo doanh nghiệp",
            (
                "month",
                "operator_code",
                "operator_name",
                "network_type",
                "in_compliance_scope",
                "tests",
                "devices",
                "mean_mbps",
                "ci_low_mbps",
                "ci_high_mbps",
                "median_mbps",
                "device_day_mean_mbps",
                "share_at_or_above_threshold",
                "statistic",
                "figure_mbps",
                "threshold_mbps",
                "verdict",
                "ci_straddles_threshold",
            ),
            [
                (
                    m,
                    c.operator_code,
                    c.operator_name,
                    c.network_type,
                    scope,
                    c.tests,
                    c.devices,
                    c.mean_mbps,
                    c.ci_low_mbps,
                    c.ci_high_mbps,
                    c.median_mbps,
                    c.device_day_mean_mbps,
                    c.share_at_or_above,
                    meth.statistic,
                    c.figure_mbps,
                    meth.threshold_mbps,
                    c.verdict,
                    c.ci_straddles if scope else None,
                )
                for scope, rows in ((True, data.compliance), (False, data.other_networks))
                for c in rows
            ],
        ),
        AnnexTable(
            "4_districts",
            "Kết quả đo theo doanh nghiệp và quận, huyện",
            (
                "month",
                "operator_code",
                "operator_name",
                "area_code",
                "area_name",
                "network_type",
                "tests",
                "devices",
                "mean_mbps",
                "figure_mbps",
                "verdict",
            ),
            [
                (
                    m,
                    d.operator_code,
                    d.operator_name,
                    d.area_code,
                    d.area_name,
                    meth.network_type,
                    d.tests,
                    d.devices,
                    d.mean_mbps,
                    d.figure_mbps,
                    d.verdict,
                )
                for d in data.districts
            ],
        ),
        AnnexTable(
            "5_trend",
            "Diễn biến 12 tháng",
            (
                "month",
                "operator_code",
                "operator_name",
                "network_type",
                "trend_month",
                "statistic",
                "figure_mbps",
                "tests",
                "sufficient_data",
            ),
            [
                (
                    m,
                    p.operator_code,
                    p.operator_name,
                    meth.network_type,
                    p.month,
                    meth.statistic,
                    p.figure_mbps,
                    p.tests,
                    p.sufficient_data,
                )
                for p in data.trend
            ],
        ),
        AnnexTable(
            "6a_data_quality",
            "Chất lượng dữ liệu theo nguồn",
            (
                "month",
                "dataset",
                "files_loaded",
                "files_rejected",
                "files_duplicate",
                "rows_read",
                "rows_loaded",
                "rows_quarantined",
                "rows_duplicate",
                "loads_failed",
            ),
            [
                (
                    m,
                    q.dataset,
                    q.files_loaded,
                    q.files_rejected,
                    q.files_duplicate,
                    q.rows_read,
                    q.rows_loaded,
                    q.rows_quarantined,
                    q.rows_duplicate,
                    q.loads_failed,
                )
                for q in data.data_quality.datasets
            ],
        ),
        AnnexTable(
            "6b_quarantine",
            "Dòng dữ liệu bị loại theo lý do",
            ("month", "dataset", "rule", "message", "rows"),
            [(m, q.dataset, q.rule, q.message, q.rows) for q in data.data_quality.quarantine],
        ),
        AnnexTable(
            "6c_files_rejected",
            "Tệp bị từ chối",
            ("month", "dataset", "file_name", "reason"),
            [(m, f.dataset, f.file_name, f.reason) for f in data.data_quality.files_rejected],
        ),
        AnnexTable(
            "6d_returns_rejected",
            "Báo cáo bị trả lại",
            ("month", "kind", "submitter", "reason"),
            [(m, kind, who, reason) for kind, who, reason in data.returns_rejected],
        ),
        AnnexTable(
            "7_method",
            "Phương pháp",
            ("month", "setting", "value"),
            [
                (m, "threshold_mbps", meth.threshold_mbps),
                (m, "network_type", meth.network_type),
                (m, "statistic", meth.statistic),
                (m, "confidence", meth.confidence),
                (m, "min_tests", meth.min_tests),
                (m, "min_devices", meth.min_devices),
                (m, "area_min_tests", meth.area_min_tests),
                (m, "area_min_devices", meth.area_min_devices),
                (m, "trend_months", meth.trend_months),
                (m, "method_version", meth.method_version),
            ],
        ),
    ]
    return tables


_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _text(value: Any) -> Any:
    """Strings without the control characters XML cannot hold."""
    return _ILLEGAL_XML.sub("", value) if isinstance(value, str) else value


def _csv_safe(text: str) -> str:
    """A text that Excel would run as a formula (=, +, -, @ first, not a number) gets a leading
    apostrophe in the CSV (OWASP's advice against CSV injection)."""
    if text[:1] in ("=", "+", "-", "@") and not _is_number(text):
        return "'" + text
    return text


def _is_number(text: str) -> bool:
    try:
        float(text)
        return True
    except ValueError:
        return False


def write_xlsx(data: ReportData, path: Path, tables: list[AnnexTable], *, title: str, author: str) -> Path:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    about = wb.active
    about.title = "0_about"
    about.append(["key", "value"])
    about.append(["title", title])
    about.append(["author", author])
    about.append(["month", data.month_label])
    about.append(["report_date", data.report_date])
    about.append(["units", "speeds in Mbps; shares as fractions 0..1; money in VND (đồng); dates ISO 8601"])
    for t in tables:
        about.append([f"sheet {t.name}", t.title])
    for t in tables:
        ws = wb.create_sheet(t.name)
        ws.append(list(t.columns))
        for row in t.rows:
            ws.append([_text(v) for v in row])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        if t.rows:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(t.columns))}{len(t.rows) + 1}"
        for i, col in enumerate(t.columns, start=1):
            width = max([len(col)] + [len(str(r[i - 1])) for r in t.rows if r[i - 1] is not None][:200])
            ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, width + 2))
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, date):
                    cell.number_format = "yyyy-mm-dd"
                elif cell.data_type == "f":  # text starting with "=": keep it text, never a formula
                    cell.data_type = "s"
    for cell in about[1]:
        cell.font = Font(bold=True)
    about.column_dimensions["A"].width = 26
    about.column_dimensions["B"].width = 80
    about["B5"].number_format = "yyyy-mm-dd"
    stamp = datetime(data.report_date.year, data.report_date.month, data.report_date.day)
    wb.properties.creator = author
    wb.properties.title = title
    wb.properties.created = stamp
    wb.properties.language = "vi"
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_repack(buf.getvalue(), stamp))
    return path


def _repack(xlsx: bytes, stamp: datetime) -> bytes:
    """The same .xlsx with fixed zip timestamps and a fixed modified date (openpyxl stamps now())."""
    iso = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                content = re.sub(
                    rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                    rb"\g<1>" + iso.encode() + rb"\g<2>",
                    content,
                )
            fixed = zipfile.ZipInfo(info.filename, date_time=(stamp.year, stamp.month, stamp.day, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, content)
    return out.getvalue()


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, str):
        return _csv_safe(_text(value))
    return value


def write_csvs(stem: Path, tables: list[AnnexTable]) -> list[Path]:
    written = []
    for t in tables:
        path = stem.with_name(f"{stem.name}-{t.name}.csv")
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(t.columns)
        for row in t.rows:
            writer.writerow([_csv_value(v) for v in row])
        path.write_bytes(b"\xef\xbb\xbf" + buf.getvalue().encode("utf-8"))
        written.append(path)
    return written
