"""The state and the cells the sections of the report share (sections/*.py build with it)."""

from __future__ import annotations

from functools import lru_cache

import yaml
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Paragraph

from ispeed import paths
from ispeed.report import fmt
from ispeed.report.data import DOES_NOT_MEET, INSUFFICIENT_DATA, INSUFFICIENT_REASONS, Method, ReportData
from ispeed.report.fonts import FontFamily
from ispeed.report.settings import ReportConfig
from ispeed.report.styles import BELOW_BG, BELOW_HEX, BELOW_MARK, INSUFFICIENT_BG, INSUFFICIENT_MARK, Styles, para

#: Marks verdicts that VNNIC's method (median of the representative samples) would give otherwise.
DIFFERS_MARK = "‡"


@lru_cache(maxsize=1)
def report_texts() -> dict:
    """include/templates/report/texts.yaml: the report's static Vietnamese texts."""
    with (paths.TEMPLATES_DIR / "report" / "texts.yaml").open(encoding="utf-8") as fh:
        return yaml.safe_load(fh) or {}


def reason_words(reason: str, m: Method, *, area: bool = False) -> str:
    """Why a row has not enough data, in words (texts.yaml ``insufficient_reasons``), with the floors
    in force per operator or per operator and unit (``area``)."""
    words = (report_texts().get("insufficient_reasons") or {}).get(reason, reason)
    return words.format(
        min_tests=fmt.number(m.area_min_tests if area else m.min_tests),
        min_devices=fmt.number(m.area_min_devices if area else m.min_devices),
        min_effective_devices=fmt.number(m.area_min_effective_devices if area else m.min_effective_devices),
    )


def method_2(data: ReportData) -> bool:
    """Whether the month's figures are of method 2.0 or later (VNNIC's figures, the reasons)."""
    return not data.method.method_version.startswith("1.")


class Builder:
    """What every section builds with: the data, the configuration, the fonts and styles, the
    numbering of tables and figures (in print order), and the cells that mark a speed."""

    def __init__(self, data: ReportData, cfg: ReportConfig, font: FontFamily):
        self.d = data
        self.cfg = cfg
        self.font = font
        self.s = Styles(font)
        self.table_no = 0
        self.figure_no = 0
        #: where a list of the body is, by name ("persistent": "Bảng 4"), for a later sentence to point to
        self.refs: dict[str, str] = {}
        #: where the signature block's blank space was drawn: {"box": (page, x1, y1, x2, y2)} (head.py)
        self.signature: dict = {}
        self.threshold = data.method.threshold_mbps
        self.thr_text = fmt.number(self.threshold, 0 if self.threshold == int(self.threshold) else 1)

    def caption_table(self, text: str, ref: str | None = None) -> list:
        """The caption, on the page of the table's first rows (a table splits across pages with its
        header repeated; keeping it whole with its caption would leave half-empty pages). ``ref``:
        a name under which later sections find "Bảng n" (Builder.refs)."""
        self.table_no += 1
        if ref:
            self.refs[ref] = f"Bảng {self.table_no}"
        caption = para(f"Bảng {self.table_no}. {text}", self.s.caption)
        caption._is_caption = True
        return [CondPageBreak(35 * mm), caption]

    def caption_figure(self, text: str) -> Paragraph:
        self.figure_no += 1
        return para(f"Hình {self.figure_no}. {text}", self.s.caption)

    def head(self, text: str, style=None) -> Paragraph:
        return para(f"<b>{text}</b>", style or self.s.cell_head)

    def header_row(self, *titles: str) -> list[Paragraph]:
        """A table's header row, in the small bold centred cells of the report's tables."""
        return [self.head(h, self.s.cell_small_head) for h in titles]

    def mbps(self, value) -> str:
        """A speed as printed beside the threshold: on its side of it (ispeed.figures.rounded)."""
        return fmt.mbps(value, self.threshold)

    @staticmethod
    def reason_mark(row) -> str:
        """The footnote number of why ``row`` has not enough data ('' when it has, or for 1.0 rows)."""
        reason = getattr(row, "insufficient_reason", None)
        if row.verdict != INSUFFICIENT_DATA or reason not in INSUFFICIENT_REASONS:
            return ""
        return f"<super>{INSUFFICIENT_REASONS.index(reason) + 1}</super>"

    def reasons_note(self, rows, *, area: bool = False) -> str:
        """'Lý do chưa đủ số liệu: (1) ...; (4) ...' for the reasons among ``rows`` ('' without any)."""
        found = {getattr(r, "insufficient_reason", None) for r in rows if r.verdict == INSUFFICIENT_DATA}
        reasons = [r for r in INSUFFICIENT_REASONS if r in found]
        if not reasons:
            return ""
        return (
            "Lý do chưa đủ số liệu: "
            + "; ".join(
                f"({INSUFFICIENT_REASONS.index(r) + 1}) {reason_words(r, self.d.method, area=area)}" for r in reasons
            )
            + "."
        )

    def floors_text(self, *, area: bool = False) -> str:
        """'dưới 300 phép đo hoặc 30 thiết bị' (and, from method 2.0, 'hoặc 30 thiết bị hiệu dụng'):
        the minimum data of a verdict, per operator or per operator and unit (``area``)."""
        m = self.d.method
        text = (
            f"dưới {fmt.number(m.area_min_tests if area else m.min_tests)} phép đo hoặc "
            f"{fmt.number(m.area_min_devices if area else m.min_devices)} thiết bị"
        )
        if method_2(self.d):
            effective = m.area_min_effective_devices if area else m.min_effective_devices
            text += f" hoặc {fmt.number(effective)} thiết bị hiệu dụng"
        return text

    def num(self, value, decimals: int = 0, style=None) -> Paragraph:
        return para(fmt.number(value, decimals), style or self.s.cell_num)

    def speed_cell(
        self, value, verdict: str | None, *, tests: int | None = None, small: bool = False, reason: str = "", below=""
    ):
        """A speed with its mark: ▼ below the threshold, ○ without enough data (and ``reason``, the
        footnote of why); ``below``: a last line in small italics."""
        st_num = self.s.cell_small_num if small else self.s.cell_num
        text = self.mbps(value)
        if verdict == INSUFFICIENT_DATA:
            text = f"{INSUFFICIENT_MARK} {text}{reason}"
        elif value is not None and (verdict == DOES_NOT_MEET or (verdict is None and value < self.threshold)):
            text = f'<font color="{BELOW_HEX}"><b>{BELOW_MARK} {text}</b></font>'
        if tests is not None:
            text += f'<br/><font size="6.5">({fmt.number(tests)})</font>'
        if below:
            text += f'<br/><font size="6" color="#444444"><i>{below}</i></font>'
        return para(text, st_num)

    @staticmethod
    def mark_bg(verdict: str | None, value, threshold: float):
        if verdict == INSUFFICIENT_DATA:
            return INSUFFICIENT_BG
        if verdict == DOES_NOT_MEET or (verdict is None and value is not None and value < threshold):
            return BELOW_BG
        return None

    def legend(self, insufficient: str) -> Paragraph:
        return para(
            f'Ghi chú: <font color="#9B1C1C"><b>{BELOW_MARK}</b></font> ô nền đỏ: dưới {self.thr_text} Mbps; '
            f"{INSUFFICIENT_MARK} ô nền xám: chưa đủ số liệu để đánh giá ({insufficient}); "
            f"số trong ngoặc: số phép đo.",
            self.s.note,
        )
