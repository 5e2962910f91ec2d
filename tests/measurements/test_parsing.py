"""Reading export files: formats, encodings, headers. No database needed."""

from pathlib import Path

import pytest

from ispeed.measurements.load import CANONICAL
from ispeed.measurements.readers import FileRejected, open_export

HEADER_EN = "measurement_id,measured_at,operator,network_type,download_mbps,upload_mbps,latency_ms,province,district"
ROW_EN = "A1,2024-10-05 10:00:00,Viettel,4G,45.6,12.1,31,Hải Phòng,303"


def rows_of(path: Path) -> list[dict]:
    _, _, rows = open_export(path, CANONICAL)
    return [dict(zip(["line_no", *CANONICAL, "parse_error"], r)) for r in rows]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_utf8_with_bom_and_semicolons(tmp_path):
    text = HEADER_EN.replace(",", ";") + "\n" + ROW_EN.replace(",", ";").replace("45.6", "45,6") + "\n"
    rows = rows_of(write(tmp_path, "a.csv", b"\xef\xbb\xbf" + text.encode()))
    assert rows[0]["measurement_id"] == "A1"
    assert rows[0]["download_mbps"] == "45,6"  # parsed to 45.6 in the warehouse
    assert rows[0]["line_no"] == 2


def test_vietnamese_headers_with_units_map_to_the_contract(tmp_path):
    header = "Mã phép đo,Thời gian đo,Nhà mạng,Loại mạng,Tốc độ tải xuống (Mbps),Tốc độ tải lên (Mbps),Độ trễ (ms),Tỉnh/Thành phố,Quận/Huyện"
    rows = rows_of(write(tmp_path, "vn.csv", (header + "\n" + ROW_EN + "\n").encode()))
    assert rows[0]["operator"] == "Viettel" and rows[0]["latency_ms"] == "31" and rows[0]["district"] == "303"


def test_json_lines(tmp_path):
    data = (
        '{"measurement_id": "J1", "measured_at": "2024-10-05T10:00:00+07:00", "operator": "VNPT", "network_type": "LTE",'
        ' "download_mbps": 41.5, "upload_mbps": 10, "latency_ms": 20, "district": "Lê Chân"}\n'
        "this is not json\n"
    )
    rows = rows_of(write(tmp_path, "a.jsonl", data.encode()))
    assert rows[0]["download_mbps"] == "41.5" and rows[0]["operator"] == "VNPT"
    assert rows[1]["line_no"] == 2 and rows[1]["parse_error"].startswith("invalid JSON")


def test_short_row_is_kept_with_a_parse_error_and_its_line(tmp_path):
    rows = rows_of(write(tmp_path, "a.csv", (HEADER_EN + "\n" + ROW_EN + "\nA2,2024-10-05\n\n").encode()))
    assert len(rows) == 2  # the blank line is not a row
    assert rows[1]["line_no"] == 3 and rows[1]["parse_error"] == "expected 9 fields, found 2"


def test_quoted_newline_keeps_the_line_where_the_record_starts(tmp_path):
    text = (
        HEADER_EN
        + "\n"
        + '"A1\nx",2024-10-05 10:00:00,Viettel,4G,45.6,12.1,31,HP,303\n'
        + ROW_EN.replace("A1", "A2")
        + "\n"
    )
    rows = rows_of(write(tmp_path, "a.csv", text.encode()))
    assert [r["line_no"] for r in rows] == [2, 4]


def test_missing_required_column_rejects_the_file_naming_it(tmp_path):
    path = write(tmp_path, "nodl.csv", (HEADER_EN.replace(",download_mbps", "") + "\n").encode())
    with pytest.raises(FileRejected) as err:
        rows_of(path)
    message = str(err.value)
    assert "nodl.csv" in message and "download_mbps" in message and "docs/input-contract.md" in message


@pytest.mark.parametrize(
    "data,expected",
    [
        (b"", "empty"),
        (b"PK\x03\x04rest-of-zip", "ZIP"),
        (b"<!DOCTYPE html><html><body>502 Bad Gateway</body></html>", "HTML"),
        ("Mã,Thời gian\n".encode("utf-16"), "UTF-16"),
        (HEADER_EN.encode() + "\nA1,x,Vi\xea\xf2ttel\n".encode("latin-1"), "Windows-1258"),
    ],
)
def test_unreadable_files_are_rejected_with_a_message(tmp_path, data, expected):
    with pytest.raises(FileRejected, match=expected):
        rows_of(write(tmp_path, "bad.csv", data))


def test_every_contract_column_is_documented():
    from ispeed.measurements.contract import MEASUREMENT_COLUMNS
    from ispeed.measurements.suite import UNIQUE_RULE, measurement_rules

    doc = (Path(__file__).resolve().parents[2] / "docs" / "input-contract.md").read_text(encoding="utf-8")
    for column in MEASUREMENT_COLUMNS:
        assert f"`{column.name}`" in doc
    from datetime import date

    from ispeed.config import pipeline_config

    for rule in [*measurement_rules(date(2024, 10, 1), pipeline_config()), UNIQUE_RULE]:
        assert f"`{rule.name}`" in doc
