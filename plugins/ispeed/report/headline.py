"""The answer of the month in a few sentences: the summary "TÓM TẮT KẾT QUẢ" on page 1
(sections/summary.py) and report_summary()["headline"] (render.py), which the approval request and
the mail quote. One source for both: each sentence is a Line of parts, plain text for the mail,
with its verdicts in bold in the PDF.

    headline(data)   [Line, ...]: the verdicts, the units below the threshold, who reported, and what
                     changed since the month before (findings.py has the facts)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from ispeed.months import previous_month
from ispeed.report import fmt
from ispeed.report.data import INSUFFICIENT_DATA, MISSING, REJECTED, SUBMITTED, ReportData
from ispeed.report.findings import changes, has_previous_month, units_below
from ispeed.report.layout import MAX_NAMED, annex_name
from ispeed.report.styles import esc
from ispeed.report.units import unit_words


@dataclass(frozen=True)
class Line:
    """A sentence as parts (text, strong): ``text`` for the mail, ``markup`` for the PDF."""

    parts: tuple[tuple[str, bool], ...]

    @property
    def text(self) -> str:
        return "".join(t for t, _ in self.parts)

    def markup(self) -> str:
        return "".join(f"<b>{esc(t)}</b>" if strong else esc(t) for t, strong in self.parts)


class _Parts(list):
    def add(self, text: str, strong: bool = False) -> _Parts:
        self.append((text, strong))
        return self

    def line(self) -> Line:
        return Line(tuple(self))


def headline(data: ReportData) -> list[Line]:
    return [_verdicts(data), _units(data), _senders(data), _changes(data)]


def _thr(data: ReportData) -> str:
    t = data.method.threshold_mbps
    return fmt.number(t, 0 if t == int(t) else 1)


def _reason(data: ReportData, c) -> str | None:
    from ispeed.report.sections.builder import reason_words

    if c.verdict != INSUFFICIENT_DATA or not c.insufficient_reason:
        return None
    return reason_words(c.insufficient_reason, data.method)


def _verdicts(data: ReportData) -> Line:
    m = data.method
    stat = fmt.STATISTIC_VI.get(m.statistic, m.statistic)
    net = fmt.network(m.network_type)
    p = _Parts().add(
        f"Tốc độ tải xuống {stat} dịch vụ {net} tháng {fmt.month_vi(data.month)} so với mức tối thiểu "
        f"{_thr(data)} Mbps: "
    )
    if not data.compliance:
        return p.add("chưa có kết quả đo của doanh nghiệp nào.").line()
    thr = m.threshold_mbps
    for i, c in enumerate(_measured(data)):
        p.add("; " if i else "")
        figure = f"{fmt.mbps(c.figure_mbps, thr)} Mbps – " if c.figure_mbps is not None else "– "
        p.add(f"{c.operator_name} {figure}").add(fmt.VERDICT_VI[c.verdict], True)
        reason = _reason(data, c)
        if reason:
            p.add(f" ({reason})")
        if c.vnnic_verdict_differs and c.vnnic_verdict:
            p.add(
                f" (theo phương pháp của VNNIC: {fmt.mbps(c.vnnic_median_mbps, thr)} Mbps – "
                f"{fmt.VERDICT_VI[c.vnnic_verdict]})"
            )
    unmeasured = [c.operator_name for c in data.compliance if not c.tests]
    if unmeasured:
        p.add("; " if len(unmeasured) < len(data.compliance) else "").add(", ".join(unmeasured) + " – ")
        p.add(fmt.VERDICT_VI[INSUFFICIENT_DATA], True).add(" (không có phép đo)")
    return p.add(".").line()


def _measured(data: ReportData) -> list:
    """The operators of the compliance table with tests in the month; those without any are named
    together ("Itel, Reddi – Chưa đủ số liệu (không có phép đo)") and left out of the counts."""
    return [c for c in data.compliance if c.tests]


def _units(data: ReportData) -> Line:
    w = unit_words(data.month)
    silent = {c.operator_code for c in data.compliance if not c.tests}
    counts = [u for u in units_below(data) if u.operator_code not in silent]
    units = len({x.area_code for x in data.districts if not x.unassigned})
    if not units:
        return _Parts().add(f"Chưa có số liệu theo {w['units']} trong tháng.").line()
    p = _Parts().add(f"Số {w['units']} có tốc độ dưới {_thr(data)} Mbps (trên {fmt.number(units)} {w['units']}): ")
    for i, u in enumerate(counts):
        p.add("; " if i else "").add(f"{u.operator_name} ").add(fmt.number(u.below), True)
        if u.insufficient:
            p.add(f" (chưa đủ số liệu: {fmt.number(u.insufficient)})")
    return p.add(".").line()


def _names(names: list[str], what: str, where: str) -> str:
    """The names, or their count and where the list is when there are more than MAX_NAMED."""
    if len(names) > MAX_NAMED:
        return f"{fmt.number(len(names))} {what} (xem {where})"
    return "; ".join(names)


def _senders(data: ReportData) -> Line:
    where = annex_name(data, "agencies") or "mục I"
    agencies, operators = data.agencies, data.investments
    a_in = sum(1 for a in agencies if a.state == SUBMITTED)
    o_in = sum(1 for o in operators if o.state == SUBMITTED)
    p = _Parts().add("Báo cáo tháng của các cơ quan, đơn vị và doanh nghiệp: ")
    done = []
    if agencies:
        done.append(f"{fmt.number(a_in)}/{fmt.number(len(agencies))} cơ quan, đơn vị")
    if operators:
        done.append(f"{fmt.number(o_in)}/{fmt.number(len(operators))} doanh nghiệp")
    if not done:
        return p.add("chưa có danh sách đơn vị thuộc diện báo cáo.").line()
    p.add(" và ".join(done) + " đã báo cáo")
    if not agencies:
        p.add("; chưa có danh sách cơ quan, đơn vị thuộc diện báo cáo")
    for state, label in ((MISSING, "chưa báo cáo"), (REJECTED, "báo cáo bị trả lại")):
        who = []
        names = [a.agency_name for a in agencies if a.state == state]
        if names:
            who.append(_names(names, "cơ quan, đơn vị", where))
        ops = [o.operator_name for o in operators if o.state == state]
        if ops:
            who.append(("doanh nghiệp " if names else "") + ", ".join(ops))
        if who:
            p.add(f"; {label}: ").add(" và ".join(who), True)
    return p.add(".").line()


def _signed(d: Decimal) -> str:
    return ("tăng " if d > 0 else "giảm ") + fmt.number(abs(d), 2) + " Mbps" if d else "không đổi"


def _changes(data: ReportData) -> Line:
    before = fmt.month_vi(previous_month(data.month))
    if not data.compliance:
        return _Parts().add(f"Chưa có kết quả để so sánh với tháng {before}.").line()
    if not has_previous_month(data):
        return _Parts().add(f"Chưa có số liệu tháng {before} để so sánh với tháng trước.").line()
    measured = {c.operator_code for c in _measured(data)}
    rows = [c for c in changes(data) if c.operator_code in measured or c.figure_before is not None]
    p = _Parts().add(f"So với tháng {before}: ")
    changed = [c for c in rows if c.changed]
    if changed:
        for i, c in enumerate(changed):
            p.add(", " if i else "").add(f"{c.operator_name} chuyển từ {fmt.VERDICT_VI[c.verdict_before]} sang ")
            p.add(fmt.VERDICT_VI[c.verdict], True)
    else:
        p.add("không doanh nghiệp nào thay đổi kết quả đánh giá")
    p.add("; tốc độ ")
    for i, c in enumerate(rows):
        d = c.difference
        if d is not None:
            text = _signed(d)
        elif c.figure_before is None:
            text = "không có số liệu tháng trước"
        else:
            text = "không có số liệu tháng này"
        p.add(", " if i else "").add(f"{c.operator_name} {text}")
    return p.add(".").line()
