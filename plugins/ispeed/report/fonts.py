"""TrueType fonts for Vietnamese: Liberation Serif and Liberation Sans, committed in include/fonts/.

Nghị định 30/2020/NĐ-CP asks for Times New Roman. Liberation Serif has Times New Roman's metrics
(the same width for every glyph, so a line breaks where it would in Times New Roman) and covers the
whole Vietnamese alphabet; Liberation Sans is its sans-serif sibling (Arial's metrics), for
``pdf.font: sans`` in include/config/report.yaml. Both are under the SIL Open Font License 1.1
(include/fonts/LICENSE-LiberationFonts.txt), which allows embedding them in documents.

The PDF's built-in fonts (Helvetica, Times) have no glyphs for ả, ơ, ư, ễ, ...; reportlab embeds the
glyphs used of the four faces below as TrueType subsets with a ToUnicode map (text can be searched
and copied). The charts (charts.py) are drawn with reportlab's graphics in the same faces, so the
PDF holds no other font.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ispeed import paths

#: style -> the files of its regular, bold, italic and bold italic faces in font_dir()
_FILES = {
    "serif": (
        "LiberationSerif-Regular.ttf",
        "LiberationSerif-Bold.ttf",
        "LiberationSerif-Italic.ttf",
        "LiberationSerif-BoldItalic.ttf",
    ),
    "sans": (
        "LiberationSans-Regular.ttf",
        "LiberationSans-Bold.ttf",
        "LiberationSans-Italic.ttf",
        "LiberationSans-BoldItalic.ttf",
    ),
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
    """include/fonts/: the committed font files and their licence."""
    return paths.INCLUDE / "fonts"


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
            raise FontError(f"font file {path} is missing: include/fonts/ holds the report's fonts (Liberation)")
        pdfmetrics.registerFont(TTFont(name, str(path)))
    addMapping(base, 0, 0, family.regular)
    addMapping(base, 1, 0, family.bold)
    addMapping(base, 0, 1, family.italic)
    addMapping(base, 1, 1, family.bold_italic)
    return family
