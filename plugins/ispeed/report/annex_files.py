"""The annex's files: the tables of annex.py as one .xlsx (a sheet per table, and a first sheet that
lists them) and one CSV per table. CSV files are UTF-8 with a BOM (Excel then reads the Vietnamese
names right), comma-separated, CRLF line ends (RFC 4180).

Both are deterministic: the .xlsx is re-packed with fixed timestamps, so equal data gives equal
bytes.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ispeed.report.annex import AnnexTable
from ispeed.report.data import ReportData

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
