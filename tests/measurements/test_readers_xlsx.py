"""Exports as .xlsx (issue 14, item 7), read by the reader itself: streamed with memory flat, the
header found below title rows, the sheet and the row in every message. The corpus
(tests/corpus/exports/portal_*.xlsx) checks the same files from the warehouse."""

from __future__ import annotations

import sys
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest

from ispeed.measurements.load import CANONICAL
from ispeed.measurements.readers import FileRejected, open_export

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
sys.path.insert(0, str(CORPUS))
import make_corpus  # noqa: E402


def read(path: Path) -> tuple[dict, list[dict]]:
    fmt, hmap, rows = open_export(path, CANONICAL)
    assert fmt.kind == "xlsx"
    return hmap.as_json(), [dict(zip(["line_no", *CANONICAL, "parse_error"], r)) for r in rows]


def test_the_portal_workbook_is_read_below_its_titles_with_the_sheet_and_row_in_each_problem():
    header, rows = read(CORPUS / "exports" / "portal_export.xlsx")
    assert header["notes"][0] == "sheet 'Dữ liệu', header on row 4"
    assert [r["line_no"] for r in rows] == [5, 6, 8, 9, 10]  # row 7 is empty: not a row
    first = rows[0]
    assert (first["measurement_id"], first["measured_at"], first["download_mbps"], first["latency_ms"]) == (
        "PX1",
        "2024-10-05 10:00:00",
        "45.6",
        "31",
    )
    assert rows[1]["measured_at"] == "2024-10-06 09:30:00+07:00" and rows[1]["download_mbps"] == "88"
    assert (
        rows[3]["parse_error"]
        == "sheet 'Dữ liệu', row 9: a value in column J, beyond the header's 9 columns ('ghi chú')"
    )
    assert rows[4]["measurement_id"] == "987654321012"  # a numeric id as its digits, not 9.87654321012E+11
    assert [r["parse_error"] for r in rows if r["line_no"] != 9] == [None] * 4


def test_a_workbook_refused_names_the_sheet_and_the_row(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(make_corpus.CASES["portal_missing_column.xlsx"]())
    with pytest.raises(FileRejected, match=r"x.xlsx: sheet 'Dữ liệu', row 4: required column\(s\) missing"):
        read(path)
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(FileRejected, match="named .xlsx but is not a workbook"):
        read(path)


def test_reading_a_large_workbook_holds_no_more_memory_than_a_small_one(tmp_path):
    import openpyxl

    def workbook(rows: int) -> Path:
        path = tmp_path / f"w{rows}.xlsx"
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("Data")
        ws.append(["Kết quả đo"])
        ws.append(make_corpus.PORTAL_HEADER)
        for i in range(rows):
            ws.append([i, datetime(2024, 10, 5, 10, 0, 0), 1, 2, 45.6, 12.1, 31, 3, 303])
        wb.save(path)
        return path

    def peak(path: Path) -> int:
        tracemalloc.start()
        try:
            _, _, rows = open_export(path, CANONICAL)
            assert sum(1 for _ in rows) > 0
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    small, large = workbook(2_000), workbook(20_000)  # 1 KiB a row kept would be 20 MiB
    peak(small)  # imports and first-use caches out of the way
    assert peak(large) < peak(small) + (1 << 20), "memory grows with the rows of the workbook"
