"""What a file from a mail is, read from the file itself with the returns' own reader: its kind
(agency or operator return), the month its "Tháng báo cáo" names, and the senders its rows name.

The mail's date says nothing: a clerk sends October's return in November, or a corrected
September one. A file neither kind can read is still filed, so that the load rejects it with its
message and its sender sees what to fix: as an operator return when its name or first cells name
an operator, else as an agency return, for the month the message reports (the month before the
mail's date, the reporting month) unless a month can be read from its name.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ispeed.months import parse_month
from ispeed.returns.contract import AGENCY_RETURN, OPERATOR_RETURN, ReturnKind
from ispeed.returns.frame import build_frame, load_lookups
from ispeed.returns.read import ReturnFileRejected, read_return
from ispeed.text import norm_key

_MONTH_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_.](0[1-9]|1[0-2])(?!\d)|(?<!\d)(0?[1-9]|1[0-2])[-_.](20\d\d)(?!\d)")


@dataclass
class Classified:
    kind: ReturnKind
    month: date
    senders: list[str] = field(default_factory=list)  # codes the rows name (empty: unreadable, or none matched)
    readable: bool = True


def _month_in_name(name: str) -> date | None:
    m = _MONTH_IN_NAME.search(name)
    if not m:
        return None
    year, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    return date(int(year), int(month), 1)


def _names_operator(conn, texts: list[str], month: date) -> bool:
    operators = load_lookups(conn, month).operators
    words = {norm_key(w) for t in texts for w in re.split(r"[\W_]+", t) if len(w) >= 4}
    return any(k in words for k in operators if len(k) >= 4)


def classify(conn, path: Path, reporting_month: date) -> Classified:
    """The kind, month and senders of the file at ``path`` (see the module docstring)."""
    for kind in (AGENCY_RETURN, OPERATOR_RETURN):
        try:
            sheet = read_return(path, kind)
        except ReturnFileRejected as exc:
            texts = [path.stem, *exc.texts]
            continue
        months = Counter(m for m in (_month_of(row.values.get("month")) for row in sheet.rows) if m)
        month = months.most_common(1)[0][0] if months else (_month_in_name(path.name) or reporting_month)
        frame = build_frame(kind, [(0, sheet)], load_lookups(conn, month))
        senders = sorted({c for c in frame["sender_code"] if isinstance(c, str) and c})
        return Classified(kind, month, senders)
    month = _month_in_name(path.name) or reporting_month
    kind = OPERATOR_RETURN if _names_operator(conn, texts, month) else AGENCY_RETURN
    return Classified(kind, month, [], readable=False)


def _month_of(value) -> date | None:
    from ispeed.returns.values import parse_month as parse_cell_month

    label = parse_cell_month(value)
    return parse_month(label) if label else None
