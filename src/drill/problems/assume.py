"""Assumption mode: the user proposes each input, as an interviewer asks a candidate to.

An assumption is graded against the param's reference range (its `reference:`, else its
`range:` or the span of its `choices:`): inside it or within 10x of it is fine; beyond, the
grade says how far and which way. A percentage above 50% (a hit rate, an availability) is
compared by what it leaves out, so 90% for a range of 99% to 99.9% is 10x too much miss,
not 9% low. Pure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from drill import grading
from drill.quantity import Quantity

if TYPE_CHECKING:
    from drill.grading import Grade
    from drill.problems.model import Param

FINE_FACTOR = 10.0


def reference_range(param: Param) -> tuple[Quantity, Quantity]:
    if param.reference is not None:
        return param.reference
    return param.corners


def _times(factor: float) -> str:
    if factor < 10:
        return f"{factor:.1f}x"
    return f"{factor:,.0f}x" if factor < 100_000 else f"{Quantity(factor, '').format()} times"


def grade(param: Param, assumed: Quantity, typed: str = "") -> Grade:
    """How an assumption compares with the reference range: RIGHT inside it or within
    10x of it (fine), WRONG beyond, with which way and how far."""
    low, high = reference_range(param)
    shown = f"{param.format(low)} to {param.format(high)}"
    x, lo, hi = assumed.value, low.value, high.value
    leaves_out = param.percent and lo > 0.5 and x < 1 and hi < 1
    if leaves_out:  # compare what each leaves out: 1 - x
        x, lo, hi = 1 - x, 1 - hi, 1 - lo
    if x <= 0 or lo <= 0:
        inside = lo <= x <= hi
        factor = 1.0 if inside else float("inf")
    elif x < lo:
        factor = lo / x
    elif x > hi:
        factor = x / hi
    else:
        factor = 1.0
    way = ("low" if x < lo else "high") if factor > 1 else ""
    if leaves_out and way:
        way = "little" if way == "low" else "much"
        way_text = f"leaves {_times(factor)} too {way} out"
    else:
        way_text = f"{_times(factor)} {'below' if way == 'low' else 'above'}"
    said = f"you assumed {param.format(assumed)}"
    if factor == 1.0:
        verdict, detail = grading.RIGHT, f"{said}, inside the reference range {shown}"
    elif leaves_out:
        verdict = grading.RIGHT if factor <= FINE_FACTOR else grading.WRONG
        detail = f"{said}, which {way_text} against the reference range {shown}"
    else:
        verdict = grading.RIGHT if factor <= FINE_FACTOR else grading.WRONG
        detail = f"{said}, {way_text} the reference range {shown}"
    if verdict == grading.RIGHT and factor != 1.0:
        detail += " (within 10x)"
    elif verdict == grading.WRONG:
        detail += f" (a typical value: {param.format(param.default)})"
    return grading.Grade(
        verdict,
        param.default,
        assumed,
        typed,
        None if factor in (1.0, float("inf")) else factor,
        detail=detail,
    )


def message(grade: Grade) -> str:
    """`fine: you assumed ...` within 10x of the reference range, else `off: ...`."""
    return f"{'fine' if grade.verdict == grading.RIGHT else 'off'}: {grade.detail}"
