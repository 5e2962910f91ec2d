"""TrueType fonts for Vietnamese: the DejaVu families that matplotlib ships (a pinned dependency),
so a fresh machine has them after ``pip install -r requirements.txt`` and nothing is bundled.

The PDF's built-in fonts (Helvetica, Times) have no glyphs for ả, ơ, ư, ễ, ...; DejaVu Serif and
DejaVu Sans cover the whole Vietnamese alphabet. reportlab embeds the glyphs used as TrueType
subsets. DejaVu's licence (a free licence, Bitstream Vera derived) is matplotlib's LICENSE_DEJAVU.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

_FILES = {
    "serif": ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif-BoldItalic.ttf"),
    "sans": ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf", "DejaVuSans-BoldOblique.ttf"),
}


class FontError(RuntimeError):
    pass


@dataclass(frozen=True)
class FontFamily:
    """reportlab font names of one family's four faces."""

    regular: str
    bold: str
    italic: str
    bold_italic: str


def font_dir() -> Path:
    try:
        import matplotlib
    except ImportError as exc:  # pragma: no cover - matplotlib is in requirements.txt
        raise FontError("the report's fonts come with matplotlib: pip install -r requirements.txt") from exc
    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


@cache
def register_fonts(style: str = "serif") -> FontFamily:
    """Register the family's four faces with reportlab (once per process) and return their names.
    ``<b>`` and ``<i>`` in Paragraph markup map to the bold and italic faces."""
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if style not in _FILES:
        raise FontError(f"font style {style!r}: choose serif or sans")
    base = "ISpeed" + style.capitalize()
    family = FontFamily(base, base + "-Bold", base + "-Italic", base + "-BoldItalic")
    folder = font_dir()
    for name, file in zip((family.regular, family.bold, family.italic, family.bold_italic), _FILES[style]):
        path = folder / file
        if not path.is_file():
            raise FontError(f"font file {path} is missing (matplotlib installation incomplete?)")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(base, 0, 0, family.regular)
    addMapping(base, 1, 0, family.bold)
    addMapping(base, 0, 1, family.italic)
    addMapping(base, 1, 1, family.bold_italic)
    return family
