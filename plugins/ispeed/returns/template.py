"""The .xlsx templates agencies and operators fill in, generated from the contract so that they stay
in step with it:

    python -m ispeed.returns.template                 # writes include/templates/*.xlsx (this month's)
    python -m ispeed.returns.template --check         # exit 1 when the committed files are out of date
    python -m ispeed.returns.template --month 2024-10 --out /tmp/t   # the templates of another month

Each template has the return sheet ("Báo cáo": title rows, Vietnamese headings on row 6, data from
row 7, drop-down lists and number checks where Excel can give them), an instructions sheet
("Hướng dẫn", Vietnamese and English, one line per column) and the lists the drop-downs use
("Danh mục": agencies, or units and operators). Each template is a month's: its lists hold the
agencies that must report for the month and its units (the UBND and the districts until
2025-06-30, the UBND and the communes, wards and special zones from 2025-07-01), for the configured
province. The committed files are this month's; the reminders attach the template of the month
they remind of. The files are byte-for-byte reproducible (fixed timestamps), so regenerating them
changes nothing unless the contract, the reference data or the month's units changed.

The same functions fill a template by code (``fill_agency_return``, ``fill_operator_return``):
the sample-data generator and the tests use them. Each workbook is built in agency_template.py and
operator_template.py from the pieces of template_parts.py; this module writes and checks the files.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
import zipfile
from datetime import date
from pathlib import Path

from ispeed import paths
from ispeed.returns.agency_template import agency_workbook, fill_agency_return
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN
from ispeed.returns.operator_template import (
    OPERATOR_LAYOUT,
    fill_operator_return,
    operator_workbook,
    reporting_operators,
)
from ispeed.returns.template_parts import DATA_SHEET, FIXED_TIME, HELP_SHEET, LIST_SHEET


def save_workbook(wb, path: Path) -> Path:
    """Save with fixed timestamps, so that the same workbook always gives the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(workbook_bytes(wb))
    return path


def workbook_bytes(wb) -> bytes:
    """The workbook's .xlsx bytes, the same for the same workbook (fixed times in the zip and in
    the document's properties)."""
    raw = io.BytesIO()
    wb.save(raw)  # sets the 'modified' property to now (and a new Workbook's 'created'): put back below
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + stamp.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=(2024, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(entry, data)
    return out.getvalue()


def template_bytes(template_name: str, month: date | None = None) -> bytes:
    """The blank template (agency_return_template.xlsx or operator_return_template.xlsx) of
    ``month`` (default: this month), as the reminders attach it."""
    build = {AGENCY_RETURN.template_name: agency_workbook, OPERATOR_RETURN.template_name: operator_workbook}
    return workbook_bytes(build[template_name](month))


def write_templates(folder: Path | None = None, month: date | None = None) -> list[Path]:
    """Write agency_return_template.xlsx and operator_return_template.xlsx of ``month`` (default:
    this month) into ``folder`` (default include/templates/). Returns their paths."""
    folder = folder or paths.TEMPLATES_DIR
    return [
        save_workbook(agency_workbook(month), folder / AGENCY_RETURN.template_name),
        save_workbook(operator_workbook(month), folder / OPERATOR_RETURN.template_name),
    ]


def stale_templates(folder: Path | None = None) -> list[Path]:
    """The committed templates whose bytes differ from what the code generates now (this month's)."""
    folder = folder or paths.TEMPLATES_DIR
    stale = []
    for kind, build in ((AGENCY_RETURN, agency_workbook), (OPERATOR_RETURN, operator_workbook)):
        path = folder / kind.template_name
        if not path.is_file() or path.read_bytes() != workbook_bytes(build()):
            stale.append(path)
    return stale


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ispeed.returns.template", description="write the monthly-return templates (.xlsx)"
    )
    parser.add_argument("--out", type=Path, help="folder (default include/templates/)")
    parser.add_argument("--check", action="store_true", help="only check that the committed templates are up to date")
    parser.add_argument(
        "--month", help="the month whose agencies and units the templates list (YYYY-MM; default: this one)"
    )
    args = parser.parse_args(argv)
    month = date.fromisoformat(args.month + "-01") if args.month else None
    if args.check:
        stale = stale_templates(args.out)
        for path in stale:
            print(f"out of date: {path} (run: python -m ispeed.returns.template)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_templates(args.out, month):
        print(f"wrote {path}")
    return 0


__all__ = [
    "DATA_SHEET",
    "HELP_SHEET",
    "LIST_SHEET",
    "OPERATOR_LAYOUT",
    "agency_workbook",
    "fill_agency_return",
    "fill_operator_return",
    "operator_workbook",
    "reporting_operators",
    "save_workbook",
    "stale_templates",
    "template_bytes",
    "workbook_bytes",
    "write_templates",
]


if __name__ == "__main__":
    sys.exit(main())
