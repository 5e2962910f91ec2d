"""Reminders follow the month's list of senders (issue 13): in April 2026 every UBND xã, phường,
đặc khu and every restructured department that has not reported March is reminded, with the blank
template of March 2026 (its senders and its units); the mails speak for the configured province."""

from __future__ import annotations

import dataclasses
import io
from datetime import date

import openpyxl

from ispeed.operations import monitoring, notify


def test_the_operations_mails_speak_for_the_configured_province(monkeypatch):
    cfg = notify.operations_config()
    assert cfg.sender == "Hệ thống i-Speed - Sở KH&CN Hải Phòng <ispeed-monitor@haiphong.example.org>"
    assert cfg.reply_to == "phong.bcvt.skhcn@haiphong.example.org"
    # the operators' contacts are in operators.csv (contact_email) since issue 25, for every province
    from ispeed.warehouse.reference import read_reference

    operators = {o["operator_code"]: o for o in read_reference().operators}
    assert operators["GMOBILE"]["contact_email"] == "baocao.haiphong@gmobile.example.org"
    monkeypatch.setenv("ISPEED_PROVINCE", "48")
    cfg = notify.operations_config()
    assert cfg.sender == "Hệ thống i-Speed - Sở KH&CN Đà Nẵng <ispeed-monitor@danang.example.org>"
    assert cfg.data_engineer_addresses == [
        "dataeng.ispeed@danang.example.org",
        "tran.thi.lan.dataeng@danang.example.org",
    ]
    assert not any("{" in v for v in (cfg.sender, cfg.reply_to, *cfg.reminder_cc, *cfg.operator_contacts.values()))


def test_april_2026_reminds_the_commune_committees_of_march(db, smtp):
    cfg = dataclasses.replace(notify.operations_config(), min_measurements=0)
    result = monitoring.check_freshness(date(2026, 4, 10), config=cfg, raise_on_failure=False)
    reminded = {r["code"]: r for r in result["reminders"] if r["kind"] == "agency_return"}
    assert len(reminded) == 131 and all(r["status"] == "sent" and r["reason"] == "missing" for r in reminded.values())
    assert sum(code.startswith("UBND-1") for code in reminded) == 114
    assert {"SKHCN", "SNNMT", "SVHTTDL", "BPTTH"} <= set(reminded)
    assert not {"STTTT", "UBND-LC", "UBND-HB"} & set(reminded)
    assert reminded["UBND-10525"]["name"] == "UBND phường Hải Dương"
    assert result["returns"]["agency_returns"] == {"submitted": 0, "rejected": 0, "missing": 131}

    [msg] = smtp.to("ubnd-10525.ispeed@example.org")
    assert "03/2026" in msg["Subject"]
    [attached] = list(msg.iter_attachments())
    lists = openpyxl.load_workbook(io.BytesIO(attached.get_content()))["Danh mục"]
    rows = {r[0].value: r[1].value for r in lists.iter_rows(min_row=2)}
    assert len(rows) == 131 and rows["UBND-10525"] == "UBND phường Hải Dương" and "UBND-HB" not in rows

    [msg] = smtp.to("baocao.haiphong@gmobile.example.org")
    [attached] = list(msg.iter_attachments())
    sheet = openpyxl.load_workbook(io.BytesIO(attached.get_content()))["Báo cáo"]
    units = {sheet.cell(row=r, column=2).value for r in range(7, 7 + 228)}
    assert sheet["B6"].value == "Xã/phường/đặc khu" and len(units) == 114 and "Phường Hải Dương" in units
