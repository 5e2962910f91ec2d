"""The rules of every number cell of a return (a whole number, not negative, not beyond what a
month can hold) and of a row's shape (no more cells than the header), with their messages."""

from __future__ import annotations

from collections.abc import Callable

from ispeed.returns.contract import COUNT, MONEY, ReturnKind
from ispeed.returns.rule_row import ReturnRule, Row
from ispeed.returns.values import A_DATE, EMPTY, FORMULA, FRACTION, vn_number


def number_message(column: str) -> Callable[[Row], str]:
    def say(row: Row) -> str:
        raw, problem = row.raw(column), row.problem(column)
        if problem == EMPTY:
            return f"{row.at(column)}: chưa điền số liệu (ghi 0 nếu không có)"
        if problem == FRACTION:
            return f'{row.at(column)}: "{raw}" không phải số nguyên (ghi số nguyên, ví dụ 1234 hoặc 1.234)'
        if problem == A_DATE:
            return (
                f"{row.at(column)}: ô đang chứa ngày tháng {raw} chứ không phải số (định dạng ô là "
                "Number/Số rồi nhập lại số liệu)"
            )
        if problem == FORMULA:
            return (
                f"{row.at(column)}: công thức {raw} chưa có kết quả lưu trong tệp (mở tệp bằng Excel, lưu lại rồi gửi)"
            )
        return f'{row.at(column)}: "{raw}" không phải là số (ghi số nguyên, ví dụ 1234 hoặc 1.234)'

    return say


#: The largest number each type of cell can hold in the warehouse (int, bigint): a larger one is a
#: typing mistake ("3.000.000.000" staff), refused in its cell rather than failing the month's load.
LARGEST = {COUNT: 2**31 - 1, MONEY: 10**15}


def count_rules(kind: ReturnKind) -> list[ReturnRule]:
    rules = []
    for col in kind.columns:
        if not col.is_number:
            continue
        c = col.name
        rules.append(
            ReturnRule(
                f"{c}_is_whole_number",
                "ExpectColumnValuesToNotBeNull",
                {"column": c},
                lambda row, c=c: c,
                number_message(c),
            )
        )
        rules.append(
            ReturnRule(
                f"{c}_not_negative",
                "ExpectColumnValuesToBeBetween",
                {"column": c, "min_value": 0},
                lambda row, c=c: c,
                lambda row, c=c: f"{row.at(c)}: {row.raw(c)} là số âm (số liệu phải từ 0 trở lên)",
            )
        )
        rules.append(
            ReturnRule(
                f"{c}_within_range",
                "ExpectColumnValuesToBeBetween",
                {"column": c, "max_value": LARGEST[col.type]},
                lambda row, c=c: c,
                lambda row, c=c, top=LARGEST[col.type]: (
                    f'{row.at(c)}: "{row.raw(c)}" quá lớn, không thể là số liệu của một tháng '
                    f"(tối đa {vn_number(top)}); hãy kiểm tra lại số đã nhập"
                ),
            )
        )
    return rules


def row_shape_rule(kind: ReturnKind) -> ReturnRule:
    """A CSV row with more cells than the header: an unquoted "1,250" split in two and every cell
    after it shifted one column to the right. The row is refused as a whole, naming the row."""

    def first_cell(row: Row) -> str:
        return next((c for c in (kind.subject_column, *kind.names) if row.ref(c)), kind.subject_column)

    def say(row: Row) -> str:
        width = int(row.r["header_width"])
        return (
            f"Dòng {row.line} có {width + int(row.r['extra_cells'])} ô, nhiều hơn {width} cột của dòng tiêu đề: "
            "có lẽ một số có dấu phẩy ngăn cách hàng nghìn (như 1,250) không được đặt trong ngoặc kép nên các ô "
            "sau nó bị lệch sang phải; hãy ghi số không có dấu phân cách (1250), hoặc lưu lại tệp bằng Excel rồi gửi"
        )

    return ReturnRule(
        "row_fits_header",
        "ExpectColumnValuesToBeBetween",
        {"column": "extra_cells", "max_value": 0},
        first_cell,
        say,
        whole_row=True,
    )
