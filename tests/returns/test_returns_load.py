"""Monthly returns into the warehouse, on a real PostgreSQL: what an official sees when a return is
accepted or rejected, replacement by a later return, idempotence, the month's state per agency
and operator, and Great Expectations' view of the same rules."""

import os
import shutil
from datetime import date, datetime
from pathlib import Path

from ispeed import returns
from ispeed.months import LOCAL_TZ
from ispeed.returns import template
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN
from ispeed.returns.load import landing_folder

from conftest import query

OCT = date(2024, 10, 1)


def _at(day: int, hour: int = 9) -> float:
    return datetime(2024, 11, day, hour, tzinfo=LOCAL_TZ).timestamp()


def tally(
    code: str,
    total: int = 100,
    installed: int = 80,
    measured: int = 60,
    measurements: int = 150,
    citizens: int = 20,
    members: int = 0,
    month: str = "2024-10",
    **extra,
) -> dict:
    return {
        "agency_code": code,
        "month": month,
        "staff_total": total,
        "staff_installed": installed,
        "staff_measured": measured,
        "staff_measurements": measurements,
        "citizens_helped": citizens,
        "cdt_members": members,
        **extra,
    }


def agency_file(name: str, *rows: dict, sent: float | None = None) -> Path:
    """The agency template filled by code, dropped in the month's landing folder."""
    wb = template.agency_workbook(OCT)
    template.fill_agency_return(wb, rows)
    path = template.save_workbook(wb, landing_folder(AGENCY_RETURN, OCT) / name)
    os.utime(path, (sent or _at(3), sent or _at(3)))
    return path


def operator_file(name: str, operator: str, rows: list[dict], sent: float | None = None) -> Path:
    wb = template.operator_workbook(OCT)
    template.fill_operator_return(wb, operator, OCT, rows)
    path = template.save_workbook(wb, landing_folder(OPERATOR_RETURN, OCT) / name)
    os.utime(path, (sent or _at(3), sent or _at(3)))
    return path


def states(db, view: str = "v_agency_return_status", month: date = OCT) -> dict[str, str]:
    code = "agency_code" if "agency" in view else "operator_code"
    return dict(query(db, f"select {code}, state from ispeed.{view} where month = %s", (month,)))


def quarantine(db, dataset: str = "agency_returns") -> list[tuple]:
    return query(
        db,
        "select line_no, column_name, rule, message from ispeed.fact_quarantine"
        " where dataset = %s order by file_id, line_no",
        (dataset,),
    )


def test_the_filled_template_loads_cleanly(db, data_dir):
    agency_file("SYT_2024-10.xlsx", tally("SYT", 120, 100, 90, 300, 45, 0, note="Đã phổ biến tới các phòng"))
    agency_file("UBND-HB_2024-10.xlsx", tally("UBND-HB", 260, 240, 200, 910, 3120, 180))
    summary = returns.load_agency_returns(OCT, run_id="manual__1")

    assert (summary["rows_read"], summary["rows_loaded"], summary["rows_quarantined"]) == (2, 2, 0)
    assert [f["status"] for f in summary["files"]] == ["loaded", "loaded"]
    assert summary["validation"]["success"] is True
    assert query(
        db,
        "select agency_code, staff_total, staff_installed, staff_measured, staff_measurements,"
        " citizens_helped, cdt_members, note, source_row from ispeed.fact_agency_return order by 1",
    ) == [
        ("SYT", 120, 100, 90, 300, 45, 0, "Đã phổ biến tới các phòng", 7),
        ("UBND-HB", 260, 240, 200, 910, 3120, 180, None, 7),
    ]
    st = states(db)
    assert (st["SYT"], st["UBND-HB"], st["STTTT"]) == ("submitted", "submitted", "missing")
    assert summary["states"] == {"submitted": 2, "missing": len(st) - 2}
    # the files left the landing folder for the archive, and the warehouse knows where they are
    assert not any(landing_folder(AGENCY_RETURN, OCT).iterdir())
    archived = query(db, "select archive_path from ispeed.meta_file where dataset = 'agency_returns'")
    assert all(Path(p).is_file() and "/archive/agency_returns/2024-10/" in p for (p,) in archived)
    assert Path(summary["validation_path"]).is_file()


def test_installed_above_the_staff_total_rejects_the_return_naming_the_cell(db, data_dir):
    agency_file("SYT_2024-10.xlsx", tally("SYT", total=100, installed=120, measured=60))
    summary = returns.load_agency_returns(OCT)

    message = "Ô E7 (Số CBCCVC đã cài đặt i-Speed): 120 lớn hơn Tổng số CBCCVC (100)"
    assert quarantine(db) == [(7, "E7", "installed_within_staff_total", message)]
    assert summary["files"][0]["status"] == "rejected" and message in summary["files"][0]["error"]
    assert query(db, "select count(*) from ispeed.fact_agency_return") == [(0,)]
    status = {s["code"]: s for s in returns.return_status(OCT, dataset="agency_returns")}
    assert status["SYT"]["state"] == "rejected" and message in status["SYT"]["error"]
    assert status["SYT"]["file"] == "SYT_2024-10.xlsx"
    # set aside for a person to look at, not archived
    (path,) = query(db, "select archive_path from ispeed.meta_file")[0]
    assert "/rejected/agency_returns/2024-10/" in path and Path(path).is_file()


def test_every_wrong_cell_is_listed_once(db, data_dir):
    agency_file(
        "STP_2024-10.xlsx",
        {**tally("STP", total="1.000", installed="1.200", measured="abc", measurements=-3), "month": "09/2024"},
    )
    returns.load_agency_returns(OCT)
    ((line, cell, rule, message),) = quarantine(db)
    assert (line, cell, rule) == (7, "C7", "month_matches")
    assert message.split("; ") == [
        "Ô C7 (Tháng báo cáo): ghi tháng 09/2024, nhưng đây là kỳ báo cáo tháng 10/2024 (sửa lại tháng, "
        "hoặc gửi báo cáo tháng 09/2024 vào kỳ của tháng đó)",
        'Ô F7 (Số CBCCVC đã đo ít nhất 1 lần): "abc" không phải là số (ghi số nguyên, ví dụ 1234 hoặc 1.234)',
        "Ô G7 (Số lần đo của CBCCVC): -3 là số âm (số liệu phải từ 0 trở lên)",
        "Ô E7 (Số CBCCVC đã cài đặt i-Speed): 1.200 lớn hơn Tổng số CBCCVC (1.000)",
    ]


def test_an_unknown_agency_is_rejected(db, data_dir):
    agency_file("khac.xlsx", tally("SXYZ"))
    agency_file("ten.xlsx", {**tally(None), "agency_code": None, "agency_name": "Sở Y khoa"})
    agency_file(
        "dau.xlsx", {**tally(None), "agency_code": None, "agency_name": "so y te hai phong"}
    )  # a known name, typed loosely
    agency_file("lech.xlsx", tally("STP", agency_name="Sở Y tế"))
    summary = returns.load_agency_returns(OCT)
    assert [(f["name"], f["status"], f["senders"]) for f in summary["files"]] == [
        ("dau.xlsx", "loaded", ["SYT"]),
        ("khac.xlsx", "rejected", []),
        ("lech.xlsx", "rejected", ["STP"]),
        ("ten.xlsx", "rejected", []),
    ]
    assert [q[3] for q in quarantine(db)] == [
        "Ô A7 (Mã cơ quan): \"SXYZ\" không có trong danh sách cơ quan phải báo cáo (xem trang 'Danh mục' của biểu mẫu)",
        'Ô A7 (Mã cơ quan): mã "STP" là của Sở Tư pháp nhưng Tên cơ quan (ô B7) ghi "Sở Y tế", hãy sửa cho khớp',
        'Ô B7 (Tên cơ quan): "Sở Y khoa" không khớp cơ quan nào trong danh sách cơ quan phải báo cáo '
        "(ghi Mã cơ quan theo trang 'Danh mục' của biểu mẫu)",
    ]


def test_a_duplicate_return_in_one_file_rejects_the_file(db, data_dir):
    agency_file("SNV.xlsx", tally("SNV"), tally("SNV", total=90), tally("STC"))
    returns.load_agency_returns(OCT)
    rows = quarantine(db)
    assert [(r[0], r[2]) for r in rows] == [
        (7, "one_return_per_agency"),
        (8, "one_return_per_agency"),
        (9, "return_rejected"),
    ]
    assert rows[0][3] == (
        "Dòng 7: Sở Nội vụ (SNV) có nhiều dòng trong cùng tệp (dòng 7, 8), mỗi cơ quan chỉ báo cáo "
        "một dòng mỗi tháng: hãy giữ một dòng"
    )
    assert "không được nạp vì báo cáo có lỗi ở dòng 7, 8" in rows[2][3]
    st = states(db)
    assert (st["SNV"], st["STC"]) == ("rejected", "rejected")  # a file is accepted or rejected as a whole


def test_counts_equal_the_returns_and_a_rerun_changes_nothing(db, data_dir):
    sent = [
        tally("SYT", 120, 100, 90, 300, 45),
        tally("STP", 80, 70, 50, 120, 0),
        tally("UBND-LC", 300, 280, 250, 990, 4100, 320),
    ]
    for t in sent:
        agency_file(f"{t['agency_code']}.xlsx", t)
    copies = data_dir / "copies"
    shutil.copytree(landing_folder(AGENCY_RETURN, OCT), copies)
    returns.load_agency_returns(OCT)

    def snapshot():
        return (
            query(db, "select * from ispeed.fact_agency_return order by agency_code"),
            query(db, "select count(*) from ispeed.meta_return"),
            query(db, "select count(*) from ispeed.fact_quarantine"),
            query(db, "select agency_code, state, file_name from ispeed.v_agency_return_status order by 1"),
        )

    totals = query(
        db,
        "select sum(staff_total), sum(staff_installed), sum(staff_measured), sum(staff_measurements),"
        " sum(citizens_helped), sum(cdt_members) from ispeed.fact_agency_return",
    )[0]
    assert totals == tuple(
        sum(t[k] for t in sent)
        for k in (
            "staff_total",
            "staff_installed",
            "staff_measured",
            "staff_measurements",
            "citizens_helped",
            "cdt_members",
        )
    )
    before = snapshot()
    second = returns.load_agency_returns(OCT)  # nothing left in the landing folder
    assert second["files"] == [] and snapshot() == before
    for path in copies.iterdir():  # the same files delivered again
        shutil.copy2(path, landing_folder(AGENCY_RETURN, OCT) / path.name)
    third = returns.load_agency_returns(OCT)
    assert {f["status"] for f in third["files"]} == {"duplicate_file"} and snapshot() == before


def test_a_later_return_replaces_the_earlier_one(db, data_dir):
    agency_file("SYT_2024-10.xlsx", tally("SYT", 120, 100, 90, 300), sent=_at(2))
    returns.load_agency_returns(OCT)
    # a corrected return, sent later; and an older copy delivered with it must not win
    agency_file("SYT_2024-10_sua.xlsx", tally("SYT", 125, 110, 95, 320, note="bản sửa"), sent=_at(4))
    agency_file("SYT_cu.xlsx", tally("SYT", 1, 1, 1, 1), sent=_at(1))
    summary = returns.load_agency_returns(OCT)

    assert query(
        db,
        "select f.staff_total, f.note, m.file_name, f.source_row from ispeed.fact_agency_return f"
        " join ispeed.meta_file m using (file_id)",
    ) == [(125, "bản sửa", "SYT_2024-10_sua.xlsx", 7)]
    assert query(db, "select file_name, status from ispeed.meta_file order by file_id") == [
        ("SYT_2024-10.xlsx", "replaced"),
        ("SYT_cu.xlsx", "replaced"),
        ("SYT_2024-10_sua.xlsx", "loaded"),
    ]
    assert {f["name"]: f["status"] for f in summary["files"]}["SYT_cu.xlsx"] == "replaced"
    assert returns.return_status(OCT, dataset="agency_returns")[0]["code"]  # ordered list of dicts
    assert query(db, "select state, file_name from ispeed.v_agency_return_status where agency_code = 'SYT'") == [
        ("submitted", "SYT_2024-10_sua.xlsx")
    ]

    # a later return with a mistake withdraws the figures until a correct one comes
    agency_file("SYT_lan3.xlsx", tally("SYT", 125, 130, 95, 320), sent=_at(5))
    returns.load_agency_returns(OCT)
    assert states(db)["SYT"] == "rejected"
    assert query(db, "select count(*) from ispeed.fact_agency_return") == [(0,)]
    agency_file("SYT_lan4.xlsx", tally("SYT", 125, 112, 95, 320), sent=_at(6))
    returns.load_agency_returns(OCT)
    assert states(db)["SYT"] == "submitted"
    assert query(db, "select staff_installed from ispeed.fact_agency_return") == [(112,)]


def test_the_status_view_shows_submitted_missing_and_rejected(db, data_dir):
    agency_file("SYT.xlsx", tally("SYT"))
    agency_file("STP.xlsx", tally("STP", installed=101))
    (landing_folder(AGENCY_RETURN, OCT) / "SGDDT_2024-10.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\x00" * 600
    )
    returns.load_agency_returns(OCT)
    rows = query(
        db, "select agency_code, state, file_name, error from ispeed.v_agency_return_status where month = %s", (OCT,)
    )
    by_code = {r[0]: r[1:] for r in rows}
    assert len(rows) == 39  # every agency of include/reference/agencies.csv
    assert by_code["SYT"][:2] == ("submitted", "SYT.xlsx")
    assert by_code["STP"][0] == "rejected" and "Ô E7" in by_code["STP"][2]
    # an unreadable file names nobody inside: its name says who sent it
    assert by_code["SGDDT"][0] == "rejected" and "đặt mật khẩu" in by_code["SGDDT"][2]
    assert by_code["SNV"] == ("missing", None, None)
    # the function answers for any month, loaded or not
    assert query(db, "select count(*), min(state), max(state) from ispeed.agency_return_status('2024-09-01')") == [
        (39, "missing", "missing")
    ]


def test_operator_returns_load_per_district_and_name_every_mistake(db, data_dir):
    operator_file(
        "Viettel_2024-10.xlsx",
        "Viettel",
        [
            {
                "district": "303",
                "generation": "4G",
                "sites_in_service": 120,
                "sites_commissioned": 3,
                "sites_upgraded": 10,
                "investment_vnd": "4.250.000.000",
            },
            {"district": "303", "generation": "5G", "sites_in_service": 14, "sites_commissioned": 2},
            {
                "district": "318",
                "generation": "4G",
                "sites_in_service": 3,
                "remedy": "Nâng cấp truyền dẫn vi ba",
                "remedy_due_date": date(2024, 12, 31),
            },
        ],
    )
    operator_file(
        "mobi.xlsx",
        "MobiFone",
        [
            {"district": "304", "sites_in_service": 10, "sites_commissioned": 12},
            {"district": "305", "sites_in_service": 10, "remedy": "Lắp thêm trạm"},
        ],
    )
    summary = returns.load_operator_returns(OCT)

    assert query(
        db,
        "select operator_code, area_code, network_generation, sites_in_service, sites_commissioned,"
        " sites_upgraded, investment_vnd, remedy, remedy_due_date, source_row"
        " from ispeed.fact_operator_return order by 2, 3",
    ) == [
        ("VIETTEL", "303", "4G", 120, 3, 10, 4_250_000_000, None, None, 7),
        ("VIETTEL", "303", "5G", 14, 2, 0, 0, None, None, 8),
        ("VIETTEL", "318", "4G", 3, 0, 0, 0, "Nâng cấp truyền dẫn vi ba", date(2024, 12, 31), 35),
    ]
    assert [q[1:] for q in quarantine(db, "operator_returns")] == [
        (
            "E9",
            "commissioned_within_in_service",
            "Ô E9 (Số trạm phát sóng mới trong tháng): 12 lớn hơn Số trạm đang phát sóng cuối tháng (10)",
        ),
        (
            "I11",
            "remedy_has_due_date",
            "Ô I11 (Thời hạn hoàn thành): có giải pháp khắc phục (ô H11) nhưng chưa ghi thời hạn hoàn thành",
        ),
    ]
    assert states(db, "v_operator_return_status") == {
        "VIETTEL": "submitted",
        "VINAPHONE": "missing",
        "MOBIFONE": "rejected",
        "VIETNAMOBILE": "missing",
        "GMOBILE": "missing",
    }
    assert summary["states"] == {"submitted": 1, "rejected": 1, "missing": 3}


def test_operator_csv_with_unknown_operator_and_district(db, data_dir):
    folder = landing_folder(OPERATOR_RETURN, OCT)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vnmb.csv").write_text(
        "Nhà mạng,Tháng báo cáo,Quận/huyện,Công nghệ,Số trạm đang phát sóng,Số trạm mới,Số trạm nâng cấp,Vốn đầu tư\n"
        'VNMB,10/2024,Hồng Bàng,LTE,12,1,0,"1.200.000.000"\n'
        "VNMB,10/2024,Quận Hồng Bàn,4G,8,0,0,0\n"
        "Vina Telecom,10/2024,Lê Chân,3G,8,0,0,0\n",
        encoding="utf-8",
    )
    returns.load_operator_returns(OCT)
    assert [q[1:3] for q in quarantine(db, "operator_returns")] == [
        (None, "return_rejected"),
        ("C3", "district_known"),
        ("A4", "operator_known"),
    ]
    messages = [q[3] for q in quarantine(db, "operator_returns")]
    assert messages[1] == (
        'Ô C3 (Quận/huyện): "Quận Hồng Bàn" không phải quận, huyện của thành phố Hải Phòng trong tháng 10/2024'
    )
    assert messages[2].startswith('Ô A4 (Nhà mạng): "Vina Telecom" không phải nhà mạng trong danh mục (Viettel, ')
    assert 'Ô D4 (Công nghệ (4G/5G)): "3G" không phải 4G hoặc 5G' in messages[2]
    assert states(db, "v_operator_return_status")["VIETNAMOBILE"] == "rejected"


def test_great_expectations_counts_are_the_quarantine(db, data_dir):
    """The row outcome comes from GX itself: every rule's unexpected count is the number of
    quarantined rows that broke it."""
    agency_file("a.xlsx", tally("SYT", installed=101), tally("STP", measured="x"), tally("SNV", month="2024-11"))
    agency_file("b.xlsx", tally("SYT"), tally("SYT"))
    summary = returns.load_agency_returns(OCT)
    failed = query(
        db,
        "select r, count(*) from ispeed.fact_quarantine, unnest(failed_rules) r"
        " where r <> 'return_rejected' group by r",
    )
    unexpected = {k: v for k, v in summary["validation"]["unexpected"].items() if v}
    assert (
        unexpected
        == dict(failed)
        == {
            "installed_within_staff_total": 1,
            "staff_measured_is_whole_number": 1,
            "month_matches": 1,
            "one_return_per_agency": 2,
        }
    )
    (validation,) = query(db, "select validation from ispeed.meta_load where dataset = 'agency_returns'")[0]
    assert validation["success"] is False and validation["statistics"]["evaluated_expectations"] > 20


def test_a_rejected_file_sent_again_is_checked_again(db, data_dir):
    path = agency_file("SYT.xlsx", tally("SYT", installed=101))
    copy = data_dir / "SYT.xlsx"
    shutil.copy2(path, copy)
    returns.load_agency_returns(OCT)
    shutil.copy2(copy, path)  # the same file again: same problem, listed once
    second = returns.load_agency_returns(OCT)
    assert second["files"][0]["status"] == "rejected"
    assert query(db, "select count(*) from ispeed.fact_quarantine") == [(1,)]
    assert states(db)["SYT"] == "rejected"
