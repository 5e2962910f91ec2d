"""The bad-export corpus: writes tests/corpus/exports/, one small file per case of cases.yaml.

    .venv/bin/python tests/corpus/make_corpus.py     # (re)write the committed files

Every file is built here, byte for byte and deterministically (tests/test_bad_exports.py checks
that the committed files are what this script writes), so a case can be read in its function.
Large cases (a single line of tens of megabytes, an encoding error past the first 64 KiB, a quote
that swallows a megabyte) are not committed: GENERATED writes them at test time into tmp_path.
Row ids carry a prefix per file, so that files share an id only where a case means it.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import sys
import unicodedata
import zipfile
from collections.abc import Callable
from pathlib import Path

EXPORTS = Path(__file__).resolve().parent / "exports"

HEADER = [
    "measurement_id",
    "measured_at",
    "operator",
    "network_type",
    "download_mbps",
    "upload_mbps",
    "latency_ms",
    "province",
    "district",
    "device_id",
]


def row(
    mid: str,
    ts: str = "2024-10-05 10:00:00",
    op: str = "Viettel",
    net: str = "4G",
    dl: str = "45.6",
    ul: str = "12.1",
    lat: str = "31",
    prov: str = "Hải Phòng",
    dist: str = "303",
    dev: str = "d1",
) -> list[str]:
    return [mid, ts, op, net, dl, ul, lat, prov, dist, dev]


def csv_text(
    rows: list[list[str]], header: list[str] | None = HEADER, delimiter: str = ",", newline: str = "\n"
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    if header is not None:
        writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def utf8(text: str) -> bytes:
    return text.encode("utf-8")


def to_cp1258(text: str) -> bytes:
    """Vietnamese text as Windows-1258 writes it: base letters (â, ê, ô, ă, ơ, ư, đ) precomposed,
    tone marks as combining characters."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        shape = "".join(m for m in decomposed[1:] if m in "\u0302\u0306\u031b")
        tones = "".join(m for m in decomposed[1:] if m not in "\u0302\u0306\u031b")
        out += unicodedata.normalize("NFC", decomposed[0] + shape).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


def fixed_zip(entries: dict[str, bytes]) -> bytes:
    """A ZIP with fixed dates, so that the bytes are the same on every run."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(zipfile.ZipInfo(name, date_time=(2024, 11, 1, 8, 0, 0)), data)
    return buf.getvalue()


GOOD = utf8(csv_text([row("ZP1"), row("ZP2")]))

CASES: dict[str, Callable[[], bytes]] = {}


def case(name: str):
    def register(fn: Callable[[], bytes]) -> Callable[[], bytes]:
        CASES[name] = fn
        return fn

    return register


# --- empty and header only ---------------------------------------------------------------------

case("empty.csv")(lambda: b"")
case("blank_lines_only.csv")(lambda: b"\n\r\n   \n\t\n")
case("bom_only.csv")(lambda: b"\xef\xbb\xbf\r\n")
case("header_only.csv")(lambda: utf8(csv_text([])))
case("header_only_blank_and_separator_lines.csv")(lambda: utf8(csv_text([]) + "\n,,,,,,,,,\n  \n,,\n"))


# --- separators --------------------------------------------------------------------------------


@case("wrong_delimiter_spaces.csv")
def _spaces() -> bytes:  # Excel's "Formatted Text (Space delimited)": columns padded with spaces
    rows = [HEADER, row("WS1", ts="2024-10-05T10:00:00", prov="HP"), row("WS2", ts="2024-10-06T10:00:00", prov="HP")]
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(len(HEADER))]
    return utf8("".join("".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() + "\n" for r in rows))


case("not_an_export.csv")(
    lambda: utf8(csv_text([["Nguyễn Văn A", "a@haiphong.gov.vn", "Sở TTTT"]], header=["Họ và tên", "Email", "Đơn vị"]))
)


@case("quoted_whole_lines.csv")
def _quoted_whole_lines() -> bytes:  # a CSV pasted into one spreadsheet column and saved again
    lines = csv_text([row("QW1"), row("QW2")]).splitlines()
    return utf8(csv_text([[line] for line in lines], header=None))


case("delimiter_mismatch.csv")(
    lambda: utf8(csv_text([]) + csv_text([row("DM1"), row("DM2"), row("DM3")], header=None, delimiter=";"))
)

case("excel_vn_semicolon_decimal_comma.csv")(
    lambda: (
        b"\xef\xbb\xbf"
        + utf8(
            csv_text(
                [
                    row("EV1", dl="45,6", ul="12,1", lat="31,5", op="Tổng công ty Viettel"),
                    row("EV2", dl="1 234,5", ul="800", op="VNPT"),
                    row("EV3", dl="38", ul="9,25", op="MobiFone"),
                ],
                header=[
                    "Mã phép đo",
                    "Thời gian đo",
                    "Nhà mạng",
                    "Loại mạng",
                    "Tốc độ tải xuống (Mbps)",
                    "Tốc độ tải lên (Mbps)",
                    "Độ trễ (ms)",
                    "Tỉnh/Thành phố",
                    "Quận/Huyện",
                    "Mã thiết bị",
                ],
                delimiter=";",
                newline="\r\n",
            )
        )
    )
)

case("tab_separated.csv")(lambda: utf8(csv_text([row("TB1"), row("TB2", dl="50")], delimiter="\t")))
case("pipe_separated.csv")(lambda: utf8(csv_text([row("PP1"), row("PP2", dl="50")], delimiter="|")))
case("excel_sep_line.csv")(
    lambda: utf8("sep=;\r\n" + csv_text([row("SL1", dl="45,6"), row("SL2")], delimiter=";", newline="\r\n"))
)


# --- encodings ---------------------------------------------------------------------------------

case("cp1258.csv")(lambda: to_cp1258(csv_text([row("CP1", dist="Hồng Bàng"), row("CP2", op="Tổng công ty Viettel")])))
case("utf16le_bom.csv")(
    lambda: (
        "\ufeff".encode("utf-16-le")
        + csv_text([row("U1"), row("U2")], delimiter="\t", newline="\r\n").encode("utf-16-le")
    )
)
case("utf16be_bom.csv")(lambda: "\ufeff".encode("utf-16-be") + csv_text([row("U3"), row("U4")]).encode("utf-16-be"))
case("utf16le_no_bom.csv")(lambda: csv_text([row("U5"), row("U6")]).encode("utf-16-le"))


@case("utf8_mojibake.csv")
def _mojibake() -> bytes:  # UTF-8 read as Windows-1252 and saved again as UTF-8
    def garble(text: str) -> str:
        return text.encode("utf-8").decode("cp1252", errors="replace")

    return utf8(
        csv_text(
            [
                row("MJ1", prov=garble("Hải Phòng")),
                row("MJ2", dist=garble("Lê Chân")),
                row("MJ3", op=garble("Tổng công ty Viettel")),
                row("MJ4", op="Viettel", dist="305"),
            ]
        )
    )


# --- cut short, quotes and line ends ------------------------------------------------------------

case("truncated_last_line.csv")(lambda: utf8(csv_text([row("TL1"), row("TL2")]) + "TL3,2024-10-05 10:00:00,Viettel,4"))
case("truncated_in_quotes.csv")(lambda: utf8(csv_text([row("TQ1"), row("TQ2")]) + 'TQ3,2024-10-05 10:00:00,"Viettel'))
case("truncated_mid_character.csv")(
    lambda: (
        utf8(csv_text([row("TC1"), row("TC2")]) + "TC3,2024-10-05 10:00:00,Viettel,4G,45.6,12.1,31,Hải Ph")
        + "ò".encode()[:1]
    )
)
case("unclosed_quote.csv")(
    lambda: utf8(
        csv_text([row("UQ1")])
        + 'UQ2,2024-10-05 10:00:00,"Viettel,4G,45.6,12.1,31,Hải Phòng,303,d1\n'
        + csv_text([row("UQ3"), row("UQ4")], header=None)
    )
)


@case("quoted_newlines.csv")
def _quoted_newlines() -> bytes:
    header = HEADER + ["note"]
    return utf8(
        csv_text(
            [
                row("QN1") + ["đo tại nhà\nvăn hoá\nphường"],  # lines 2-4
                row("QN2", dev="dev\n2") + [""],  # lines 5-6
                row("QN3") + ['có "ngoặc kép", dấu phẩy'],  # line 7
            ],
            header=header,
            newline="\r\n",
        )
    )


case("bare_cr_in_quoted_cell.csv")(
    lambda: utf8(
        csv_text(  # a CR alone in a contract column, which goes to COPY
            [row("CR1", dev="máy một\rmáy hai"), row("CR2")], newline="\r\n"
        )
    )
)

case("stray_cr_unquoted.csv")(
    lambda: utf8(
        csv_text([row("SC1")])
        + "SC2,2024-10-05 10:00:00,Viettel,4G,45.6,12.1,31,Hải Phòng,303,d\rx\n"
        + csv_text([row("SC3")], header=None)
    )
)
case("cr_only_line_endings.csv")(lambda: utf8(csv_text([row("CO1"), row("CO2")], newline="\r")))

case("blank_and_separator_lines.csv")(
    lambda: utf8(
        csv_text([])
        + "\n"
        + csv_text([row("BL1")], header=None)
        + ",,,,,,,,,\n   \n"
        + csv_text([row("BL2")], header=None)
        + "\r\n\n"
        + csv_text([row("BL3")], header=None)
        + "\n\n"
    )
)

case("header_repeated.csv")(lambda: utf8(csv_text([row("HR1"), row("HR2")]) + csv_text([row("HR3"), row("HR4")])))

case("nul_padding.csv")(lambda: utf8(csv_text([row("NP1"), row("NP2")])) + b"\x00" * 1024)


# --- duplicates --------------------------------------------------------------------------------

case("duplicate_ids_in_file.csv")(
    lambda: utf8(csv_text([row("DI1"), row("DI2", dl="50"), row("DI1", dl="99"), row("DI1", dl="98")]))
)
case("duplicate_ids_across_files_a.csv")(lambda: utf8(csv_text([row("DA1"), row("DA2"), row("DA3")])))
case("duplicate_ids_across_files_b.csv")(lambda: utf8(csv_text([row("DA2", dl="70"), row("DA3", dl="71"), row("DB4")])))
case("same_file_twice_a.csv")(lambda: utf8(csv_text([row("SF1"), row("SF2")])))
case("same_file_twice_b_renamed.csv")(lambda: CASES["same_file_twice_a.csv"]())
# delivered again in a later load, under a third name; and ids already loaded by then
case("same_file_twice_c_later.csv")(lambda: CASES["same_file_twice_a.csv"]())
case("ids_already_loaded.csv")(lambda: utf8(csv_text([row("DA1", dl="80"), row("DI2", dl="81"), row("AL3")])))


# --- headers -----------------------------------------------------------------------------------

case("extra_columns.csv")(
    lambda: utf8(
        csv_text(
            [row("EC1") + ["3.2.1", "ghi chú", "srv-1", ""], row("EC2") + ["3.2.1", "", "srv-2", "x"]],
            header=HEADER + ["app_version", "Ghi chú", "server", ""],
        )
    )
)


@case("columns_reordered.csv")
def _reordered() -> bytes:
    header = [
        "QUẬN/HUYỆN",
        "tốc độ tải lên (Mbps)",
        "Ping (ms)",
        "Mã phép đo",
        "download speed",
        "NHÀ MẠNG",
        "Thời gian",
        "loai mang",
        "Tinh/Thanh pho",
        "device id",
    ]
    return utf8(
        csv_text(
            [
                ["Lê Chân", "12.5", "31", "CR01", "45.25", "VNPT", "2024-10-05 10:00:00", "LTE", "Hải Phòng", "d9"],
                ["306", "7", "18", "CR02", "88", "Viettel", "2024-10-06T09:00:00+07:00", "5G", "", ""],
            ],
            header=header,
        )
    )


case("decomposed_unicode_header.csv")(
    lambda: utf8(
        unicodedata.normalize(
            "NFD",
            csv_text(
                [row("NF1", dist="Ngô Quyền", op="Tổng công ty Viettel")],
                header=[
                    "Mã phép đo",
                    "Thời gian đo",
                    "Nhà mạng",
                    "Loại mạng",
                    "Tốc độ tải xuống",
                    "Tốc độ tải lên",
                    "Độ trễ",
                    "Tỉnh thành",
                    "Quận huyện",
                    "Thiết bị",
                ],
            ),
        )
    )
)

case("duplicate_meaning_columns.csv")(
    lambda: utf8(csv_text([row("DC1") + ["45"]], header=HEADER + ["Download (Mbps)"]))
)
case("missing_required_column.csv")(
    lambda: utf8(csv_text([row("MR1")[:8] + ["d1"]], header=HEADER[:8] + ["device_id"]))
)
case("kbps_header.csv")(
    lambda: utf8(
        csv_text(
            [row("KH1", dl="45600", ul="12100")], header=HEADER[:4] + ["Download (kbps)", "Upload (kbps)"] + HEADER[6:]
        )
    )
)
case("latency_seconds_header.csv")(
    lambda: utf8(csv_text([row("LS1", lat="0.031")], header=HEADER[:6] + ["Latency (sec)"] + HEADER[7:]))
)


# --- values ------------------------------------------------------------------------------------

case("decimal_comma_quoted.csv")(lambda: utf8(csv_text([row("DQ1", dl="45,6", ul="12,1"), row("DQ2", dl="1 234,5")])))
case("decimal_comma_unquoted.csv")(
    lambda: utf8(csv_text([row("DU1")]) + "DU2,2024-10-05 10:00:00,Viettel,4G,45,6,12.1,31,Hải Phòng,303,d1\n")
)
case("ambiguous_number_formats.csv")(
    lambda: utf8(
        csv_text(
            [
                row("AN1", dl="1.234,5"),
                row("AN2", dl="1,234.5"),
                row("AN3", dl="45.6 Mbps"),
                row("AN4", dl="4,5,6"),
                row("AN5", dl="0x2D"),
                row("AN6", dl="+45.6e0"),
            ]
        )
    )
)
case("kbps_values.csv")(
    lambda: utf8(
        csv_text(
            [
                row("KB1", dl="45600", ul="12100"),
                row("KB2", dl="38250", ul="9000"),
                row("KB3", net="3G", dl="2500", ul="800"),
            ]
        )
    )
)


@case("bad_speeds.csv")
def _bad_speeds() -> bytes:
    plain = [  # download, upload, latency
        row("BS01", dl="NaN"),
        row("BS02", dl="nan"),
        row("BS03", dl="Infinity"),
        row("BS04", dl="-Infinity"),
        row("BS05", dl="inf"),
        row("BS06", dl="-5"),
        row("BS07", dl="0"),
        row("BS08", dl="-0"),
        row("BS09", dl=""),
        row("BS10", dl="abc"),
        row("BS11", ul="NaN"),
        row("BS12", ul="0"),
        row("BS13", lat="0"),
        row("BS14", lat="-1"),
        row("BS15", lat="Infinity"),
    ]
    optional = [  # jitter_ms, latitude, longitude
        row("BS16") + ["NaN", "", ""],
        row("BS17") + ["-1", "", ""],
        row("BS18") + ["", "200", "106.7"],
        row("BS19") + ["", "20.8", "abc"],
        row("BS20") + ["2.5", "20.8", "106.7"],
    ]
    limits = [row("BS21", dl="10000"), row("BS22", dl="10000.01")]
    return utf8(
        csv_text(
            [r + ["", "", ""] for r in plain] + optional + [r + ["", "", ""] for r in limits],
            header=HEADER + ["jitter_ms", "latitude", "longitude"],
        )
    )


case("huge_exponent.csv")(lambda: utf8(csv_text([row("HX1"), row("HX2", dl="1e309")])))

case("timestamps_zones.csv")(
    lambda: utf8(
        csv_text(
            [
                row("TZ1", ts="2024-10-05T10:00:00+07:00"),
                row("TZ2", ts="2024-10-05T03:00:00Z"),
                row("TZ3", ts="2024-10-05 10:00:00"),
                row("TZ4", ts="2024-10-05T10:00"),
                row("TZ5", ts="2024-10-05 03:00:00+00"),
                row("TZ6", ts="2024-10-04T22:00:00-05:00"),
                row("TZ7", ts="2024-10-05T10:00:00.000+0700"),
            ]
        )
    )
)
case("timestamps_month_edges.csv")(
    lambda: utf8(
        csv_text(
            [
                row("ME1", ts="2024-10-31 23:59:59"),
                row("ME2", ts="2024-10-31T17:00:00Z"),
                row("ME3", ts="2024-09-30T17:00:00Z"),
                row("ME4", ts="2024-09-30 23:59:59"),
            ]
        )
    )
)
case("timestamps_other_month.csv")(
    lambda: utf8(
        csv_text(
            [
                row("OM1", ts="2024-11-05 10:00:00"),
                row("OM2", ts="2024-11-06 10:00:00"),
                row("OM3", ts="2024-09-12T08:00:00+07:00"),
            ]
        )
    )
)
case("timestamps_future.csv")(
    lambda: utf8(
        csv_text([row("FU1", ts="2099-10-05 10:00:00"), row("FU2", ts="2030-10-05T10:00:00+07:00"), row("FU3")])
    )
)
case("timestamps_unreadable.csv")(
    lambda: utf8(
        csv_text(
            [
                row("TU1", ts="05/10/2024 10:00"),
                row("TU2", ts="yesterday"),
                row("TU3", ts="1728111600"),
                row("TU4", ts="2024-02-30 10:00:00"),
                row("TU5", ts=""),
                row("TU6", ts="2024-10-05T25:00:00"),
                row("TU7", ts="5 Oct 2024 10:00"),
            ]
        )
    )
)

case("unknown_names.csv")(
    lambda: utf8(
        csv_text(
            [
                row("UN1", op="Unknown Telecom"),
                row("UN2", op="Viettel Lào"),
                row("UN3", dist="Quận 1"),
                row("UN4", dist="302"),
                row("UN5", prov="Hà Nội"),
                row("UN6", net="6G"),
                row("UN7", op=""),
                row("UN8", dist=""),
                row("UN9"),
            ]
        )
    )
)
case("operator_spellings.csv")(
    lambda: utf8(
        csv_text(
            [
                row(f"OS{i:02d}", op=op)
                for i, op in enumerate(
                    [
                        "viettel",
                        "VIETTEL",
                        "Viêttél",
                        "Tong cong ty Viettel",
                        "TỔNG CÔNG TY VIỄN THÔNG VIETTEL",
                        " viettel telecom ",
                        "vnpt-vinaphone",
                        "Vina Phone",
                        "VNPT_VinaPhone",
                        "mobi fone",
                        "MobiFone Corporation",
                        "Vietnamobile",
                        "G-Mobile",
                        "gtel",
                        "I-TEL",
                        "Vietel",
                        "Vinafone",
                        "Mobiphone",
                        "Viettel 4G",
                    ],
                    start=1,
                )
            ]
        )
    )
)
case("district_spellings.csv")(
    lambda: utf8(
        csv_text(
            [
                row(f"DS{i:02d}", dist=d)
                for i, d in enumerate(
                    [
                        "hong bang",
                        "Q. Hồng Bàng",
                        "Q.Hong Bang",
                        "QUẬN LÊ CHÂN",
                        "Huyện Thuỷ Nguyên",
                        "thuy nguyen",
                        "Kien An",
                        "H. Cát Hải",
                        unicodedata.normalize("NFD", "Hồng Bàng"),
                        "  Đồ Sơn  ",
                        "quan-duong-kinh",
                        "318",
                        "Hong Bangg",
                        "Thuy Nguyen city",
                        "Hải Phòng",
                    ],
                    start=1,
                )
            ]
        )
    )
)
case("network_type_spellings.csv")(
    lambda: utf8(
        csv_text(
            [
                row(f"NT{i:02d}", net=n)
                for i, n in enumerate(
                    [
                        "LTE",
                        "4g",
                        "lte-a",
                        "NR",
                        "5G NSA",
                        "wifi",
                        "Wi-Fi",
                        "3G",
                        "HSPA+",
                        "GSM",
                        "ethernet",
                        "6G",
                        "4.5G",
                        "LTE?",
                    ],
                    start=1,
                )
            ]
        )
    )
)
case("whitespace_padding.csv")(
    lambda: utf8(
        csv_text(
            [
                [
                    " WP1 ",
                    " 2024-10-05 10:00:00 ",
                    "  Viettel ",
                    " 4G",
                    " 45.6 ",
                    "12.1 ",
                    " 31",
                    " Hải Phòng ",
                    " 303 ",
                    " d1 ",
                ],
                ["WP2", "2024-10-05 10:00:00", "\tViettel\t", "4G", "\t45.6", "12.1", "31", "Hải Phòng", "303", ""],
            ]
        )
    )
)
case("whitespace_only_cells.csv")(
    lambda: utf8(
        csv_text(
            [  # a cell of spaces is an empty cell
                row("WO1", prov="   ", dev="  ") + [" "],
                row("WO2", prov="\u00a0") + [""],
            ],
            header=HEADER + ["jitter_ms"],
        )
    )
)


@case("all_fields_quoted.csv")
def _all_quoted() -> bytes:  # csv.QUOTE_ALL, as many exporters write: an empty cell is ""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(HEADER + ["jitter_ms", "latitude", "longitude"])
    writer.writerow(row("AQ1", prov="", dev="") + ["", "", ""])
    writer.writerow(row("AQ2") + ["2.5", "20.8", "106.7"])
    return utf8(out.getvalue())


case("empty_required_cells.csv")(
    lambda: utf8(
        csv_text(
            [
                row("", ts="2024-10-05 10:00:00"),
                row("ER2", op=" "),
                row("ER3", dl="", ul="", lat=""),
                row("ER4", dist="", prov=""),
                row("ER5", prov="", dev=""),
            ]
        )
    )
)


# --- not a CSV at all --------------------------------------------------------------------------

case("zip_as_csv.csv")(lambda: fixed_zip({"ispeed_export_2024-10.csv": GOOD}))


@case("xlsx_as_csv.csv")
def _xlsx() -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append(row("XL1"))
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    entries["docProps/core.xml"] = re.sub(
        rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-11-01T08:00:00Z", entries["docProps/core.xml"]
    )
    return fixed_zip(entries)


case("xls_as_csv.csv")(
    lambda: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 24 + b"\x3e\x00\x03\x00\xfe\xff" + b"\x00" * 474
)
case("gzip_as_csv.csv")(lambda: gzip.compress(GOOD, mtime=0))
case("pdf_as_csv.csv")(lambda: b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
case("html_error_page.csv")(
    lambda: (
        b"\xef\xbb\xbf\r\n  "
        + utf8(
            '<!DOCTYPE html>\n<html lang="vi"><head><title>502 Bad Gateway</title></head>\n'
            "<body><h1>502 Bad Gateway</h1><p>Máy chủ tạm thời không phản hồi, measurement_id,download</p></body></html>\n"
        )
    )
)
case("xml_error.csv")(
    lambda: (
        b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
        b"<Message>Request has expired</Message></Error>\n"
    )
)
case("json_error_as_csv.csv")(lambda: b'{"error": "unauthorized", "message": "token expired"}\n')
case("json_array.csv")(
    lambda: utf8(
        '[\n  {"measurement_id": "JA1", "measured_at": "2024-10-05 10:00:00", "operator": "Viettel"},\n'
        '  {"measurement_id": "JA2", "measured_at": "2024-10-05 10:00:00", "operator": "Viettel"}\n]\n'
    )
)
case("jsonl_pretty.jsonl")(
    lambda: utf8('{\n  "measurement_id": "JP1",\n  "measured_at": "2024-10-05 10:00:00",\n  "operator": "Viettel"\n}\n')
)


def _json_line(mid: str, **over) -> str:
    obj = {
        "measurement_id": mid,
        "measured_at": "2024-10-05T10:00:00+07:00",
        "operator": "VNPT",
        "network_type": "LTE",
        "download_mbps": 41.5,
        "upload_mbps": 10,
        "latency_ms": 20,
        "district": "Lê Chân",
    }
    obj.update(over)
    import json

    return json.dumps(obj, ensure_ascii=False)


case("jsonl_bad_lines.jsonl")(
    lambda: utf8(
        "\n".join(
            [
                _json_line("JL01"),  # 1 loads
                '{"measurement_id": "JL02", "measured_at": ',  # 2 invalid JSON
                "[1, 2, 3]",  # 3 not an object
                "[" * 10_000 + "]" * 10_000,  # 4 nested too deeply for the parser
                _json_line("JL05").replace('"JL05"', '"JL05\\ud800"'),  # 5 a lone surrogate: replaced, loads
                _json_line("JL06", device_id="a\u0000b"),  # 6 a NUL in a value: replaced, loads
                _json_line("JL07", download_mbps="45,6"),  # 7 a number as text with a decimal comma: loads
                _json_line("JL08").replace("41.5", "NaN"),  # 8 NaN (Python's JSON reads it): quarantined
                "",  # 9 blank: not a row
                _json_line("JL10", download_mbps=None),  # 10 null: quarantined
                _json_line("JL11")[:60],  # 11 cut short, no line break at the end
            ]
        )
    )
)


# --- limits (loaded with LIMITS_CONFIG instead of the defaults) --------------------------------

#: The settings of the limits load, in include/config/pipeline.yaml terms.
LIMITS_CONFIG = {"max_file_bytes": 3000, "limits": {"max_rows_per_file": 5, "max_columns": 12, "max_line_bytes": 400}}

case("limits_within.csv")(
    lambda: utf8(csv_text([row(f"LW{i}") for i in range(1, 6)]))
)  # 5 rows, 10 columns: at the limits
case("limits_too_many_rows.csv")(lambda: utf8(csv_text([row(f"LR{i}") for i in range(1, 7)])))
case("limits_too_many_rows.jsonl")(lambda: utf8("".join(_json_line(f"LJ{i}") + "\n" for i in range(1, 7))))
case("limits_too_many_columns.csv")(
    lambda: utf8(csv_text([row("LC1") + ["a", "b", "c"]], header=HEADER + ["x1", "x2", "x3"]))
)
case("limits_too_many_keys.jsonl")(lambda: utf8(_json_line("LK1", **{f"extra_{i}": i for i in range(6)}) + "\n"))
case("limits_long_line.csv")(lambda: utf8(csv_text([row("LL1"), row("LL2", dev="x" * 450), row("LL3")])))
case("limits_long_line.jsonl")(lambda: utf8(_json_line("LM1") + "\n" + _json_line("LM2", device_id="z" * 450) + "\n"))
case("limits_long_quoted_record.csv")(
    lambda: utf8(
        csv_text(
            [row("LQ1") + [""], row("LQ2") + ["\n".join(["y" * 90] * 5)], row("LQ3") + [""]], header=HEADER + ["note"]
        )
    )
)
case("limits_too_big.csv")(lambda: utf8(csv_text([row(f"LB{i:02d}") for i in range(1, 46)])))


# --- issue 14: exports as offices produce them ---------------------------------------------------

case("timestamps_zone_names.csv")(
    lambda: utf8(
        csv_text(
            [
                row("ZN1", ts="2024-10-05 03:00:00 UTC"),
                row("ZN2", ts="2024-10-05 03:00:00 GMT"),
                row("ZN3", ts="2024-10-05 10:00:00 GMT+07:00"),
                row("ZN4", ts="2024-10-05 10:00:00 UTC+07:00"),
                row("ZN5", ts="2024-10-05 10:00:00 UTC+7"),
                row("ZN6", ts="2024-10-05T10:00:00+7"),
                row("ZN7", ts="2024-10-05 10:00:00 ICT+7"),
            ]
        )
    )
)
VI_UNITS_HEADER = [
    "Mã phép đo",
    "Thời gian đo",
    "Nhà mạng",
    "Loại mạng",
    "Tốc độ tải xuống (Mb/s)",
    "Tốc độ tải lên (Mb/s)",
    "Độ trễ (mili giây)",
    "Tỉnh/Thành phố",
    "Quận/Huyện",
    "Mã thiết bị",
]
case("headings_units_mb_s_mili_giay.csv")(
    lambda: utf8(csv_text([row("HU1", dl="45.6", lat="31"), row("HU2", ul="9.5")], header=VI_UNITS_HEADER))
)
case("heading_near_miss.csv")(
    lambda: utf8(
        csv_text([row("HN1")], header=[h.replace("Tốc độ tải xuống", "Tốc độ tải xuốg") for h in VI_UNITS_HEADER])
    )
)
case("heading_megabytes.csv")(
    lambda: utf8(csv_text([row("HM1")], header=[h.replace("(Mb/s)", "(MB/s)") for h in VI_UNITS_HEADER]))
)

case("decimal_comma_file_thousands.csv")(
    lambda: utf8(
        csv_text(
            [
                row("DC1", dl="45,6", ul="12,1", lat="31"),
                row("DC2", dl="1.234", ul="800", lat="1.200"),
                row("DC3", dl="1.234,5", ul="9", lat="28"),
            ]
        )
    )
)
case("decimal_mark_mixed.csv")(
    lambda: utf8(
        csv_text(
            [
                row("DM1", dl="45,6", ul="12", lat="31"),
                row("DM2", dl="105.64", ul="20", lat="30"),
                row("DM3", dl="1.234", ul="20", lat="30"),
                row("DM4", dl="50", ul="20", lat="1,200"),
            ]
        )
    )
)
case("excel_rounded_ids.csv")(
    lambda: utf8(
        csv_text(
            [row(mid) for mid in ["1.23457E+11"] * 5 + ["1.23458E+11"] * 4 + ["9.87654E+11"] * 3]
            + [row("123456789012")]
        )
    )
)

#: Vietnamese in the old font encodings, for the few names of these cases (one byte a letter in
#: TCVN3; base letter and a mark byte in VNI Windows).
TCVN3 = {"ả": b"\xb6", "à": b"\xb5", "ò": b"\xdf", "ồ": b"\xe5", "ộ": b"\xe9"}
VNI = {"ả": b"a\xfb", "à": b"a\xf8", "ò": b"o\xf8", "ồ": b"o\xe0", "ộ": b"o\xe4"}


def legacy(text: str, table: dict[str, bytes]) -> bytes:
    return b"".join(table.get(ch) or ch.encode("ascii") for ch in text)


LEGACY_ROWS = [row("LG1", dist="Hồng Bàng"), row("LG2", dist="Hồng Bàng"), row("LG3", dist="Hồng Bàng")]
case("tcvn3_abc.csv")(lambda: legacy(csv_text(LEGACY_ROWS), TCVN3))
case("vni_windows.csv")(lambda: legacy(csv_text(LEGACY_ROWS), VNI))
case("vni_glyphs_saved_as_utf8.csv")(lambda: utf8(legacy(csv_text(LEGACY_ROWS), VNI).decode("latin-1")))


def workbook(sheets: dict[str, list[list]]) -> bytes:
    """An .xlsx of these sheets and rows, with fixed dates so that the bytes are the same on every run."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        ws = wb.create_sheet(title)
        for r in rows:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    with zipfile.ZipFile(buf) as zf:
        entries = {name: zf.read(name) for name in zf.namelist()}
    entries["docProps/core.xml"] = re.sub(
        rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2024-11-01T08:00:00Z", entries["docProps/core.xml"]
    )
    return fixed_zip(entries)


def portal_row(mid, ts=None, dl=45.6, ul=12.1, lat=31, dist="Hồng Bàng", op="Viettel") -> list:
    """A row as the portal's workbook holds it: numbers as numbers, the time as an Excel date."""
    from datetime import datetime

    return [mid, ts or datetime(2024, 10, 5, 10, 0, 0), op, "4G", dl, ul, lat, "Hải Phòng", dist]


PORTAL_TITLES = [["CỤC VNNIC - PORTAL KHAI THÁC SỐ LIỆU"], ["Kết quả đo i-Speed, tháng 10/2024, Hải Phòng"], []]
PORTAL_HEADER = VI_UNITS_HEADER[:-1]
case("portal_export.xlsx")(
    lambda: workbook(
        {
            "Hướng dẫn": [["Sheet 'Dữ liệu' holds the tests"]],
            "Dữ liệu": PORTAL_TITLES
            + [PORTAL_HEADER]
            + [
                portal_row("PX1"),
                portal_row("PX2", ts="2024-10-06 09:30:00+07:00", dl=88),
                [],
                portal_row("PX3", dl="abc"),
                portal_row("PX4") + ["ghi chú"],
                portal_row(987654321012, ul=0.5),
            ],
        }
    )
)
case("portal_no_header.xlsx")(lambda: workbook({"Sheet1": PORTAL_TITLES + [["a", "b"], [1, 2]]}))
case("portal_missing_column.xlsx")(
    lambda: workbook({"Dữ liệu": PORTAL_TITLES + [PORTAL_HEADER[:4] + PORTAL_HEADER[5:], portal_row("PM1")[:4]]})
)
case("~$portal_export.xlsx")(lambda: b"\x0cExcel lock file of portal_export.xlsx")


def build() -> dict[str, bytes]:
    return {name: fn() for name, fn in CASES.items()}


# --- generated at test time (too large to commit) -------------------------------------------


def single_line_30mb(path: Path) -> None:
    """30 MB on one line, no line break anywhere."""
    with path.open("wb") as fh:
        fh.write(b"measurement_id,measured_at,")
        chunk = b"x," * (1 << 19)
        for _ in range(30):
            fh.write(chunk)


def long_row_30mb(path: Path) -> None:
    """A good header, one good row, then a 30 MB line with no line break."""
    with path.open("wb") as fh:
        fh.write(utf8(csv_text([row("LR1")])))
        fh.write(b"LR2,2024-10-05 10:00:00,Viettel,4G,")
        chunk = b"9" * (1 << 20)
        for _ in range(30):
            fh.write(chunk)


def mixed_encoding_late(path: Path) -> None:
    """1500 good UTF-8 rows (past the first 64 KiB), then one line in Windows-1258: line 1502."""
    rows = [row(f"MX{i:04d}", dist="Hồng Bàng") for i in range(1, 1501)]
    path.write_bytes(
        utf8(csv_text(rows))
        + to_cp1258(csv_text([row("MX1501", dist="Hồng Bàng")], header=None))
        + utf8(csv_text([row("MX1502")], header=None))
    )


def unclosed_quote_runaway(path: Path) -> None:
    """A quote opened on line 3 and never closed, followed by 2 MB of rows: the record would swallow them."""
    rows = [row(f"RQ{i:05d}") for i in range(3, 20000)]
    path.write_bytes(
        utf8(
            csv_text([row("RQ1")])
            + 'RQ2,2024-10-05 10:00:00,"Viettel,4G,45.6,12.1,31,Hải Phòng,303,d1\n'
            + csv_text(rows, header=None)
        )
    )


GENERATED: dict[str, Callable[[Path], None]] = {
    "single_line_30mb": single_line_30mb,
    "long_row_30mb": long_row_30mb,
    "mixed_encoding_late": mixed_encoding_late,
    "unclosed_quote_runaway": unclosed_quote_runaway,
}


def main(argv: list[str]) -> int:
    EXPORTS.mkdir(parents=True, exist_ok=True)
    for name, data in build().items():
        (EXPORTS / name).write_bytes(data)
    print(f"wrote {len(CASES)} files to {EXPORTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
