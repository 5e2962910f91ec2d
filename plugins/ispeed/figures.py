"""Figures as printed beside a threshold: a printed figure never contradicts its verdict.

A mean of 39.9951 Mbps does not meet 40 Mbps, and rounded half up to 2 decimals it would print
"40.00" beside "does not meet". ``rounded`` keeps a figure on its side of the threshold: below it
never prints at or above it (39.99), at or above it never prints below it. The report
(report/fmt.py), the command line and the task log all print speeds through it (docs/method.md §5).
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

NONE = "-"


def rounded(value, threshold=None, decimals: int = 2) -> Decimal | None:
    """``value`` rounded half-up to ``decimals``, kept on its side of ``threshold`` when one is given:
    rounded(39.9951, 40) -> 39.99, rounded(39.9951) -> 40.00. None -> None."""
    if value is None:
        return None
    v = Decimal(str(value))
    step = Decimal(1).scaleb(-decimals)
    q = v.quantize(step, rounding=ROUND_HALF_UP)
    if threshold is not None:
        t = Decimal(str(threshold))
        if v < t <= q:
            q = v.quantize(step, rounding=ROUND_FLOOR)
        elif q < t <= v:
            q = v.quantize(step, rounding=ROUND_CEILING)
    return q


def speed(value, threshold=None) -> str:
    """A speed with 2 decimals and a decimal point, for the command line and the logs, kept on its
    side of ``threshold``: 39.9951 beside 40 -> '39.99'. None -> '-'."""
    q = rounded(value, threshold, 2)
    return NONE if q is None else f"{q:f}"
