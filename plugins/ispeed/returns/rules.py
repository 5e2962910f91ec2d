"""The rules of the two kinds of return, one Great Expectations expectation each, and what each
says to the official whose return breaks it, in Vietnamese, naming the cell ("Ô E7 (Số CBCCVC đã
cài đặt i-Speed): 120 lớn hơn Tổng số CBCCVC (100)").

A rule is data (the expectation's class and arguments) and two functions of a row of the typed
frame (frame.py): the cell that is wrong, and the message. suites.py builds the GX suite from the
rules and runs it. Required columns are checked when a file's header is read (header.py): a file
without one is rejected as a whole before the suite runs.
"""

from __future__ import annotations

from datetime import date, timedelta

from ispeed.months import month_label
from ispeed.returns.cell_rules import count_rules, row_shape_rule
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN, ReturnKind
from ispeed.returns.rule_row import Context, ReturnRule, Row
from ispeed.returns.units import REFORM_DAY, vn_day
from ispeed.returns.values import vn_month
from ispeed.text import norm_key


def _at_most(name: str, bigger: str, smaller: str, kind: ReturnKind) -> ReturnRule:
    """``smaller`` <= ``bigger`` on every row where both are numbers; the message is on ``smaller``'s cell."""
    return ReturnRule(
        name,
        "ExpectColumnPairValuesAToBeGreaterThanB",
        {"column_A": bigger, "column_B": smaller, "or_equal": True, "ignore_row_if": "either_value_is_missing"},
        lambda row: smaller,
        lambda row: (
            f"{row.at(smaller)}: {row.num(smaller)} lớn hơn {kind.column(bigger).heading_vi} ({row.num(bigger)})"
        ),
    )


def _month_rules(month: date) -> list[ReturnRule]:
    label = month_label(month)

    def unreadable(row: Row) -> str:
        if row.raw("month") is None:
            return f"{row.at('month')}: chưa điền (ghi tháng dạng MM/YYYY, ví dụ {vn_month(label)})"
        return f'{row.at("month")}: "{row.raw("month")}" không đọc được là tháng (ghi dạng MM/YYYY, ví dụ {vn_month(label)})'

    def other_month(row: Row) -> str:
        return (
            f"{row.at('month')}: ghi tháng {vn_month(row.r['month_label'])}, nhưng đây là kỳ báo cáo tháng "
            f"{vn_month(label)} (sửa lại tháng, hoặc gửi báo cáo tháng {vn_month(row.r['month_label'])} vào kỳ của tháng đó)"
        )

    return [
        ReturnRule(
            "month_readable",
            "ExpectColumnValuesToNotBeNull",
            {"column": "month_label"},
            lambda row: "month",
            unreadable,
        ),
        ReturnRule(
            "month_matches",
            "ExpectColumnValuesToBeInSet",
            {"column": "month_label", "value_set": [label]},
            lambda row: "month",
            other_month,
        ),
    ]


def _duplicate_rows(row: Row) -> str:
    rows = row.ctx.duplicates.get(int(row.r["frame_index"]), [row.line])
    return ", ".join(str(r) for r in rows)


def agency_rules(month: date) -> list[ReturnRule]:
    """The tallies suite: agency known, month matches, whole non-negative counts, installed <=
    staff total, measured <= installed, measurements >= staff measured, one return per agency."""
    kind = AGENCY_RETURN

    def agency_cell(row: Row) -> str:
        return "agency_code" if row.raw("agency_code") or not row.raw("agency_name") else "agency_name"

    def unknown_agency(row: Row) -> str:
        code, name = row.raw("agency_code"), row.raw("agency_name")
        if not code and not name:
            where = row.ref("agency_code") or row.ref("agency_name")
            return f"Dòng {row.line}" + (f" (ô {where})" if where else "") + ": chưa ghi Mã cơ quan hoặc Tên cơ quan"
        if code:
            text = (
                f'{row.at("agency_code")}: "{code}" không có trong danh sách cơ quan phải báo cáo '
                "(xem trang 'Danh mục' của biểu mẫu)"
            )
            return text + (f', và Tên cơ quan "{name}" cũng không khớp cơ quan nào' if name else "")
        return (
            f'{row.at("agency_name")}: "{name}" không khớp cơ quan nào trong danh sách cơ quan phải báo cáo '
            "(ghi Mã cơ quan theo trang 'Danh mục' của biểu mẫu)"
        )

    def code_name_differ(row: Row) -> str:
        by_code, by_name = row.r["agency_by_code"], row.r["agency_by_name"]
        written, named = row.raw("agency_name") or "", row.ctx.names.get(by_name, by_name)
        return (
            f'{row.at("agency_code")}: mã "{row.raw("agency_code")}" là của {row.ctx.names.get(by_code, by_code)} '
            f'nhưng Tên cơ quan (ô {row.ref("agency_name")}) ghi "{written}"'
            + ("" if norm_key(written) == norm_key(named) else f" ({named})")
            + ", hãy sửa cho khớp"
        )

    def twice(row: Row) -> str:
        code = row.r["agency_code"]
        return (
            f"Dòng {row.line}: {row.ctx.names.get(code, code)} ({code}) có nhiều dòng trong cùng tệp "
            f"(dòng {_duplicate_rows(row)}), mỗi cơ quan chỉ báo cáo một dòng mỗi tháng: hãy giữ một dòng"
        )

    return [
        row_shape_rule(kind),
        ReturnRule(
            "agency_known", "ExpectColumnValuesToNotBeNull", {"column": "agency_code"}, agency_cell, unknown_agency
        ),
        ReturnRule(
            "agency_code_matches_name",
            "ExpectColumnPairValuesToBeEqual",
            {"column_A": "agency_by_code", "column_B": "agency_by_name", "ignore_row_if": "either_value_is_missing"},
            lambda row: "agency_code",
            code_name_differ,
        ),
        *_month_rules(month),
        *count_rules(kind),
        _at_most("installed_within_staff_total", "staff_total", "staff_installed", kind),
        _at_most("measured_within_installed", "staff_installed", "staff_measured", kind),
        ReturnRule(
            "measurements_cover_measured_staff",
            "ExpectColumnPairValuesAToBeGreaterThanB",
            {
                "column_A": "staff_measurements",
                "column_B": "staff_measured",
                "or_equal": True,
                "ignore_row_if": "either_value_is_missing",
            },
            lambda row: "staff_measurements",
            lambda row: (
                f"{row.at('staff_measurements')}: {row.num('staff_measurements')} nhỏ hơn "
                f"{kind.column('staff_measured').heading_vi} ({row.num('staff_measured')}), "
                "trong khi mỗi người đã đo có ít nhất một lần đo"
            ),
        ),
        ReturnRule(
            "one_return_per_agency",
            "ExpectCompoundColumnsToBeUnique",
            {"column_list": ["file_id", "agency_code"], "ignore_row_if": "any_value_is_missing"},
            agency_cell,
            twice,
        ),
    ]


def operator_rules(month: date) -> list[ReturnRule]:
    """The operators' suite: operator and district known, 4G or 5G, month matches, whole
    non-negative counts, commissioned and upgraded sites <= sites in service, a remedy has a due
    date, one row per district and network per operator."""
    kind = OPERATOR_RETURN

    def unknown_operator(row: Row) -> str:
        raw = row.raw("operator")
        if not raw:
            return f"{row.at('operator')}: chưa ghi nhà mạng"
        return f'{row.at("operator")}: "{raw}" không phải nhà mạng trong danh mục ({row.ctx.operator_list})'

    def unknown_district(row: Row) -> str:
        raw, words = row.raw("district"), row.ctx.units
        unit = words.unit if words else "quận/huyện"
        if not raw:
            return f"{row.at('district')}: chưa ghi {unit}"
        if words is None:
            return f'{row.at("district")}: "{raw}" không phải {unit} trong tháng {vn_month(row.ctx.month_label)}'
        where = f"{words.units} của {words.province_full}"
        other = words.other_periods.get(norm_key(raw))
        if other is not None and other.valid_to is not None and other.valid_to < month:
            ended = vn_day(other.valid_to + timedelta(days=1))
            if words.communes and other.valid_to < REFORM_DAY:
                return (
                    f'{row.at("district")}: "{raw}" ({other.full_name}) không còn từ {ended} (từ 01/7/2025 không '
                    f"còn cấp quận, huyện): hãy ghi {where} nơi có trạm (xem trang 'Danh mục' của biểu mẫu)"
                )
            return (
                f'{row.at("district")}: "{raw}" ({other.full_name}) không còn từ {ended}: hãy ghi {where} '
                f"trong tháng {vn_month(row.ctx.month_label)} (xem trang 'Danh mục' của biểu mẫu)"
            )
        if other is not None:
            return (
                f'{row.at("district")}: "{raw}" ({other.full_name}) chỉ có từ {vn_day(other.valid_from)}: báo cáo '
                f"tháng {vn_month(row.ctx.month_label)} ghi theo {where} khi đó (xem trang 'Danh mục' của biểu mẫu)"
            )
        when = "(từ 01/7/2025)" if words.communes else f"trong tháng {vn_month(row.ctx.month_label)}"
        return f'{row.at("district")}: "{raw}" không phải {where} {when}'

    def unknown_generation(row: Row) -> str:
        raw = row.raw("generation")
        if not raw:
            return f"{row.at('generation')}: chưa ghi công nghệ (4G hoặc 5G)"
        return f'{row.at("generation")}: "{raw}" không phải 4G hoặc 5G'

    def due_unreadable(row: Row) -> str:
        return (
            f'{row.at("remedy_due_date")}: "{row.raw("remedy_due_date")}" không đọc được là ngày '
            "(ghi dạng DD/MM/YYYY, ví dụ 31/12/2024)"
        )

    def due_missing(row: Row) -> str:
        if row.ref("remedy_due_date") is None:
            return (
                f"{row.at('remedy')}: có giải pháp khắc phục nhưng bảng không có cột "
                f"{kind.column('remedy_due_date').heading_vi} (thêm cột này và ghi thời hạn)"
            )
        return (
            f"{row.at('remedy_due_date')}: có giải pháp khắc phục (ô {row.ref('remedy')}) nhưng chưa ghi "
            "thời hạn hoàn thành"
        )

    def twice(row: Row) -> str:
        op, area, gen = row.r["operator_code"], row.r["area_code"], row.r["network_generation"]
        return (
            f"Dòng {row.line}: {row.ctx.names.get(op, op)} có nhiều dòng cho {row.ctx.names.get(area, area)}, "
            f"{gen} trong cùng tệp (dòng {_duplicate_rows(row)}): hãy giữ một dòng"
        )

    return [
        row_shape_rule(kind),
        ReturnRule(
            "operator_known",
            "ExpectColumnValuesToNotBeNull",
            {"column": "operator_code"},
            lambda row: "operator",
            unknown_operator,
        ),
        *_month_rules(month),
        ReturnRule(
            "district_known",
            "ExpectColumnValuesToNotBeNull",
            {"column": "area_code"},
            lambda row: "district",
            unknown_district,
        ),
        ReturnRule(
            "network_is_4g_or_5g",
            "ExpectColumnValuesToNotBeNull",
            {"column": "network_generation"},
            lambda row: "generation",
            unknown_generation,
        ),
        *count_rules(kind),
        _at_most("commissioned_within_in_service", "sites_in_service", "sites_commissioned", kind),
        _at_most("upgraded_within_in_service", "sites_in_service", "sites_upgraded", kind),
        ReturnRule(
            "remedy_due_date_readable",
            "ExpectColumnValuesToBeNull",
            {"column": "remedy_due_date_unreadable"},
            lambda row: "remedy_due_date",
            due_unreadable,
        ),
        ReturnRule(
            "remedy_has_due_date",
            "ExpectColumnValuesToNotBeNull",
            {"column": "remedy_due_date", "row_condition": ("remedy", "is_not_null")},
            lambda row: "remedy_due_date" if row.ref("remedy_due_date") else "remedy",
            due_missing,
        ),
        ReturnRule(
            "one_row_per_district_and_network",
            "ExpectCompoundColumnsToBeUnique",
            {
                "column_list": ["file_id", "operator_code", "area_code", "network_generation"],
                "ignore_row_if": "any_value_is_missing",
            },
            lambda row: "district",
            twice,
        ),
    ]


__all__ = ["Context", "ReturnRule", "Row", "agency_rules", "operator_rules"]
