"""The report's canvas: every page gets its footer, "Trang n/N" and the reporting month."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as rl_canvas

from ispeed.report.fonts import FontFamily
from ispeed.report.styles import MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT, PAGE_W


def numbered_canvas(footer_left: str, font: FontFamily):
    """A canvas that writes 'Trang n/N' and the reporting month on every page once it knows N."""

    class NumberedCanvas(rl_canvas.Canvas):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._footer(total)
                super().showPage()
            super().save()

        def _footer(self, total: int) -> None:
            self.saveState()
            self.setStrokeColor(colors.HexColor("#808080"))
            self.setLineWidth(0.4)
            y = MARGIN_BOTTOM - 8 * mm
            self.line(MARGIN_LEFT, y + 4 * mm, PAGE_W - MARGIN_RIGHT, y + 4 * mm)
            self.setFont(font.regular, 8.5)
            self.setFillColor(colors.HexColor("#333333"))
            self.drawString(MARGIN_LEFT, y, footer_left)
            self.drawRightString(PAGE_W - MARGIN_RIGHT, y, f"Trang {self._pageNumber}/{total}")
            self.restoreState()

    return NumberedCanvas
