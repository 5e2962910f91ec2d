"""What a render leaves behind: the month's report folder, its files' names, and RenderedReport (the
files written, their sha256, pages), which travels through XCom to the delivery."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from ispeed import paths
from ispeed.months import month_label


@dataclass(frozen=True)
class RenderedReport:
    """What render_report wrote. ``as_dict``/``from_dict`` carry it through XCom."""

    month: date
    pdf_path: Path
    xlsx_path: Path
    csv_paths: tuple[Path, ...]
    pdf_sha256: str
    xlsx_sha256: str
    fingerprint: str  # ReportData.fingerprint(): the content, independent of the layout
    pages: int
    seconds: float = 0.0
    summary: dict = field(default_factory=dict)  # the email's figures (report_summary), JSON-able
    # where the signature block's blank space is, for the digital signature's stamp: (page from 1, x1,
    # y1, x2, y2) in PDF points from the page's bottom left; None when unknown
    signature_box: tuple[int, float, float, float, float] | None = None

    def as_dict(self) -> dict:
        d = asdict(self)
        d.update(
            month=month_label(self.month),
            pdf_path=str(self.pdf_path),
            xlsx_path=str(self.xlsx_path),
            csv_paths=[str(p) for p in self.csv_paths],
            signature_box=None if self.signature_box is None else list(self.signature_box),
        )
        return d

    @classmethod
    def from_dict(cls, d: dict) -> RenderedReport:
        from ispeed.months import parse_month

        return cls(
            month=parse_month(d["month"]),
            pdf_path=Path(d["pdf_path"]),
            xlsx_path=Path(d["xlsx_path"]),
            csv_paths=tuple(Path(p) for p in d["csv_paths"]),
            pdf_sha256=d["pdf_sha256"],
            xlsx_sha256=d["xlsx_sha256"],
            fingerprint=d["fingerprint"],
            pages=int(d["pages"]),
            seconds=float(d.get("seconds", 0.0)),
            summary=dict(d.get("summary") or {}),
            signature_box=_box(d.get("signature_box")),
        )


def _box(value) -> tuple[int, float, float, float, float] | None:
    if not value:
        return None
    page, x1, y1, x2, y2 = value
    return int(page), float(x1), float(y1), float(x2), float(y2)


def report_folder(month: date) -> Path:
    """Where a month's report goes by default: <data dir>/reports/YYYY-MM/."""
    return paths.data_dir() / "reports" / month_label(month)


def file_stem(month: date) -> str:
    return f"bao-cao-ispeed-{month_label(month)}"
