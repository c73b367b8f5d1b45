"""Values as text in a unit as written (`Gbps`, `%`, `min`): shared by templates, answers
and decisions. Pure."""

from __future__ import annotations

from drill.quantity import Quantity

# Units an answer may declare that are the base units themselves (shown by Quantity.format).
BASE_UNITS = {"": "", "count": "", "B": "B", "s": "s", "/s": "/s", "B/s": "B/s"}


def number(x: float) -> str:
    return Quantity(x, "").format()


def percent(x: float) -> str:
    return f"{x * 100:.6g}%"


def format_in(q: Quantity, unit: str | None) -> str:
    """`q` as text in a unit as written (``Gbps``, ``%``, ``min``), else Quantity.format."""
    if unit is None or unit in BASE_UNITS:
        return q.format()
    if unit == "%":
        return f"{number(q.value * 100)}%"
    return f"{number(q.to(unit))} {unit}"
