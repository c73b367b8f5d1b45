"""The napkin path: the rounded, powers-of-ten arithmetic a person does at a whiteboard.

Every input is rounded to one significant digit (1.5 and 2.5 are kept, since people
compute with them as easily), the time constants take their napkin values (a day is 10^5 s,
a month 2.5×10^6 s, a year 3×10^7 s), and each step's result is carried on with two
significant digits, as multiplying one-digit numbers gives them (3 × 4 = 12). Two things
are never rounded: percentages a param is written as (99.9% stays 99.9%), and fractions
between 0.5 and 1, since rounding 0.999 to 1 loses all that it leaves out.

A typed answer between the napkin value and the exact one, or within the answer's tolerance
of either, is right: the gap is rounding. Beyond that the grade says what went wrong: a
power of ten that slipped, or the value of another step given for this one. Pure.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from drill import grading
from drill.quantity import Quantity

if TYPE_CHECKING:
    from drill.grading import Grade

MANTISSAS = (1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0)

_DAY, _MONTH, _YEAR, _WEEK = 1e5, 2.5e6, 3e7, 6e5
NAPKIN_CONSTANTS: Mapping[str, Quantity] = MappingProxyType(
    {
        name: Quantity(seconds, "s")
        for names, seconds in (
            ("day days", _DAY),
            ("week weeks", _WEEK),
            ("month months", _MONTH),
            ("year years yr yrs", _YEAR),
        )
        for name in names.split()
    }
)
_LEADING = re.compile(r"[-+]?(?:\d[\d,]*)?\.?\d+(?:e[-+]?\d+)?")


def _exponent(x: float) -> int:
    return int(f"{x:e}".split("e")[1])  # exact for powers of ten, unlike floor(log10(x))


def round_value(x: float) -> float:
    """`x` to one significant digit (or 1.5, 2.5), nearest by ratio: 38.6 -> 40, 86,400 ->
    90,000, 1.25 -> 1.5. Fractions between 0.5 and 1 are kept as they are."""
    if x == 0 or not math.isfinite(x):
        return x
    a = abs(x)
    if 0.5 < a < 1:
        return x
    k = _exponent(a)
    m = a / 10.0**k
    best = min(MANTISSAS, key=lambda c: abs(math.log(m / c)))
    return math.copysign(float(f"{best * 10.0**k:.12g}"), x)


def is_round(x: float) -> bool:
    return x == 0 or math.isclose(round_value(x), x, rel_tol=1e-9)


def rounded(q: Quantity) -> Quantity:
    """An input as the napkin path uses it: one significant digit (or 1.5, 2.5)."""
    value = round_value(q.value)
    return q if value == q.value else Quantity(value, q.unit)


def kept(q: Quantity) -> Quantity:
    """A step's result as the napkin path carries it on: two significant digits (what
    multiplying one-digit numbers gives: 3 x 4 = 12), fractions above 0.5 as they are."""
    x = q.value
    if x == 0 or not math.isfinite(x) or 0.5 < abs(x) < 1:
        return q
    value = float(f"{x:.2g}")
    return q if value == x else Quantity(value, q.unit)


def shown_number(text: str) -> float | None:
    """The number a value is written with (`1.5 million` -> 1.5, `86,400 s` -> 86400)."""
    m = _LEADING.search(text)
    if m is None:
        return None
    try:
        return float(m.group().replace(",", ""))
    except ValueError:
        return None


def text(q: Quantity) -> str:
    """A napkin value as written on a whiteboard: `4×10^4 /s`, `10^8`, `500 B`, `2.5`."""
    v = q.value
    unit = f" {q.unit}" if q.unit else ""
    if v == 0 or not math.isfinite(v):
        return f"{v:g}{unit}"
    a = abs(v)
    k = _exponent(a)
    sign = "-" if v < 0 else ""
    if -2 <= k <= 2:
        return f"{sign}{Quantity(a, '').format()}{unit}"
    m = f"{a / 10.0**k:.2g}"
    if m == "10":
        m, k = "1", k + 1
    number = f"10^{k}" if m == "1" else f"{m}×10^{k}"
    return f"{sign}{number}{unit}"


def with_friendly(q: Quantity, unit_text: str | None = None) -> str:
    """The napkin text, and the friendly text beside it when they read differently:
    `4×10^4 /s (40K /s)`; `unit_text` is the result as the answer declares it."""
    napkin = text(q)
    friendly = unit_text if unit_text is not None else q.format()
    return (
        napkin if friendly.replace(",", "") == napkin.replace(",", "") else f"{napkin} ({friendly})"
    )


# --------------------------------------------------------------------------- grading


def refine(
    exact: Grade,
    napkin: Quantity | None,
    tolerance: float,
    answer_text: str | None,
    steps: Mapping[str, tuple[Quantity, Quantity | None]] = MappingProxyType({}),
) -> Grade:
    """A grade against the exact value (drill.grading), reconsidered with the napkin
    path's value: right when within its rounding, else what went wrong. `steps` are the
    other steps' (exact, napkin) values by name, to recognise one given for this answer."""
    if exact.verdict in (grading.RIGHT, grading.DIMENSION, grading.UNREADABLE):
        return exact
    if exact.factor is None or exact.given is None:  # zero or a sign: nothing to add
        return exact
    expected = exact.expected
    given = exact.given.value
    napkin_differs = (
        napkin is not None
        and napkin.value != 0
        and (napkin.value > 0) == (expected.value > 0)
        and not math.isclose(napkin.value, expected.value, rel_tol=1e-9)
    )
    assert exact.detail
    if napkin_differs:
        assert napkin is not None
        low, high = sorted((abs(expected.value), abs(napkin.value)))
        g = abs(given)
        slack = 1 + tolerance + 1e-9
        if low / slack <= g <= high * slack:
            detail = (
                f"{exact.detail} of the exact {_short(expected, answer_text)}; within the "
                f"napkin path's rounding (it gives {text(napkin)}): the gap is rounding"
            )
            return _regrade(exact, grading.RIGHT, detail)
        spread = low / g if g < low else g / high
        verdict = (
            grading.CLOSE
            if spread <= grading.CLOSE_FACTOR
            else grading.OFF
            if spread <= grading.OFF_FACTOR
            else grading.WRONG
        )
        detail = f"{exact.detail}; more than rounding (the napkin path gives {text(napkin)})"
        return _regrade(exact, verdict, f"{detail}: {_diagnose(exact, napkin, tolerance, steps)}")
    return _regrade(
        exact, exact.verdict, f"{exact.detail}: {_diagnose(exact, napkin, tolerance, steps)}"
    )


def _short(q: Quantity, answer_text: str | None) -> str:
    return answer_text if answer_text else q.format()


def _diagnose(
    exact: Grade,
    napkin: Quantity | None,
    tolerance: float,
    steps: Mapping[str, tuple[Quantity, Quantity | None]],
) -> str:
    """Which wrong step the typed value points to: a power of ten, or another step's value."""
    assert exact.given is not None and exact.factor is not None
    given = exact.given
    for name, (value, napkin_value) in steps.items():
        for reference in (value, napkin_value):
            if (
                reference is not None
                and reference.value
                and reference.same_dimension(given)
                and given.value / reference.value > 0
                and max(given.value / reference.value, reference.value / given.value)
                <= 1 + tolerance + 1e-9
            ):
                return f"that is `{name}` ({reference.format()}), another step's value"
    slack = math.log10(1 + tolerance) + 1e-9
    for reference in (exact.expected, napkin):
        if reference is None or reference.value == 0:
            continue
        ratio = given.value / reference.value
        if ratio > 0:
            power = round(math.log10(ratio))
            if power and abs(math.log10(ratio) - power) <= slack:
                way = "high" if power > 0 else "low"
                return f"10^{abs(power)} {way}, a power of ten slipped in a step"
    return "a step went wrong; check each against the worked solution"


def _regrade(g: Grade, verdict: str, detail: str) -> Grade:
    return grading.Grade(verdict, g.expected, g.given, g.typed, g.factor, detail=detail)
