"""Quantities as people type them: ``3 TB``, ``1.2k QPS``, ``125 MB/s``, ``~2 days``, ``86,400``.

Used for flashcard answers, typed answers and back-of-the-envelope estimation problems.
Standard library only and cheap to import.

    >>> parse("1 Gbps") == parse("125 MB/s")
    True
    >>> parse("3TB/yr").format()
    '95.1 KB/s'
    >>> parse("1M requests/day").to("/s")  # doctest: +ELLIPSIS
    11.574...

A :class:`Quantity` holds its value in SI base units and a canonical unit string built from
two base units, bytes ``B`` and seconds ``s``: counts ``""``, sizes ``"B"``, times ``"s"``,
rates ``"/s"``, bandwidths ``"B/s"``; anything else arithmetic produces is written as the
numerator factors joined by ``*`` (``^n`` for powers) then each denominator factor after a
``/``: ``B*s``, ``s^2``, ``/B``, ``B/s^2``, ``/B/s``.

What :func:`parse` reads
------------------------
Numbers
    ``86400``, ``86,400``, ``86 400``, ``86_400``, ``1.5``, ``.5``, ``-5``; scientific
    ``3e12``, ``3x10^12``, ``3×10^12``, ``3*10^12``; powers ``10^3``, ``2^10`` (= 1024).
    Digit groups after a separator must have exactly 3 digits, so ``1,5`` is refused (use
    a dot for decimals) rather than guessed as 1.5 or 15.
Magnitudes, attached or after a space
    ``k``/``K`` thousand, ``M`` million, ``G`` and ``B`` billion, ``T`` trillion, and the
    words ``thousand million billion trillion quadrillion quintillion mn bn tn``: ``1.2k``,
    ``100M``, ``3 million``.
    A letter that forms a unit with what follows is a unit: ``3 TB`` is terabytes, ``3T``
    is three trillion, ``5 Mb`` is megabits.
Approximations and extras
    A leading ``~``, ``~=``, ``≈``, ``about``, ``approx``, ``around``, ``roughly``; a trailing
    ``+`` (``100K+``); percentages ``25%`` (= 0.25), ``99.9%``; ``a``/``an`` as one
    (``a day``, ``a million users``); money as a plain number of dollars (``$0.0125``,
    ``0.0125 USD``, ``1.25 cents``, ``$5k``).
Sizes (bytes)
    ``B``, ``byte(s)``, decimal ``KB MB GB TB PB EB`` (1 KB = 1000 B, also ``kB``), binary
    ``KiB MiB GiB TiB PiB EiB``, spelled out ``megabytes`` ... Uppercase ``B`` is a byte and
    lowercase ``b`` a bit: ``Mb``, ``Gb``, ``Kb`` (uppercase prefix, lowercase b) are bits.
    **All-lowercase** ``kb mb gb tb pb`` are read as **bytes**, because that is what people
    mean when they type ``500 mb``; write ``Mb`` or ``Mbit`` for megabits.
Bits
    ``b``, ``bit(s)``, ``Kb Mb Gb Tb``, ``kbit Mbit Gbit``, ``megabits`` ... and bit rates
    ``bps kbps Mbps Gbps Tbps`` (any case: ``bps`` is always bits), ``Mbit/s``, ``Gb/s``.
    Bits become bytes: ``1 Gbps`` is 125 MB/s, stored as 1.25e8 ``B/s``.
Times
    ``ns``, ``us``/``µs``, ``ms``, ``s``, ``sec(s)``, ``second(s)``, ``m``, ``min(s)``,
    ``minute(s)``, ``h``, ``hr(s)``, ``hour(s)``, ``d``, ``day(s)``, ``wk``, ``week(s)``,
    ``mo``, ``month(s)`` (30 days), ``y``, ``yr(s)``, ``year(s)`` (365 days).
    Lowercase ``m`` is **minutes** (never mega, never metres): ``5m`` is 300 s.
Rates
    ``/s``, ``/min``, ``/h``, ``/day``, ``/d``, ``/month``, ``/yr`` ..., ``per second``,
    ``QPS``, ``RPS``, ``TPS``, ``Hz``, and any unit over a time: ``MB/s``, ``GB/day``,
    ``TB/yr``, ``KB per second``.
Count nouns
    ``users``, ``requests``/``req``, ``messages``, ``writes``, ``reads``, ``queries``, ``ops``,
    ``events``, ``rows``, ``servers`` ... count as plain numbers and may start a unit or sit
    under a ``/``: ``500M users``, ``1M requests/day``, ``40 writes/s``, ``2 KB per user``.

Ambiguity and the ``expect`` hint
---------------------------------
Without a hint a reading with units wins: ``6B`` is six bytes, ``6b`` six bits, ``5m`` five
minutes. ``parse(text, expect="")`` says a count is wanted, so ``6B`` and ``6b`` read as six
billion and ``5m`` as five million. Any unit text works as a hint (``expect="/s"``), and a
hint never rejects an answer: it only picks between readings, so comparing the result's
dimension with the expected one is still the caller's job. Before a count noun or a rate,
lowercase ``m`` and ``b`` are million and billion (``5m users``, ``2b requests/day``), since
minutes and bits make no sense there; a time over a time (``5m/day``) is refused as a unit,
so it also reads as five million per day.

Formatting
----------
:meth:`Quantity.format` writes ``digits`` significant digits (3 by default), trailing zeros
dropped, and ``parse`` reads every output back to within that precision:
counts ``86,400``, ``0.25``, ``1.2 million``, ``6 billion``, ``3 trillion`` (words above a
million, since ``B`` would read as bytes); sizes ``500 KB``, ``3 TB`` (decimal prefixes);
bandwidths ``125 MB/s``; times ``250 ms``, ``2.5 s``, ``30 min``, ``2 h``, ``3 days``,
``5 years``; rates ``40 /s``, ``1.2K /s``, ``3.5M /s``, or per minute/hour/day/year when
below 0.1 /s (``6 /min``, ``1 /day``); other dimensions ``3 B*s``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

__all__ = [
    "DimensionError",
    "Quantity",
    "QuantityError",
    "dimension_name",
    "parse",
    "parse_tolerance",
    "parse_unit",
]

Dim = tuple[int, int]

EXPECTED = "expected a number with an optional unit such as 3 TB, 1.2k QPS, 125 MB/s, 2 days"


class QuantityError(ValueError):
    """Text that cannot be read as a quantity (or a unit), or an impossible operation."""


class DimensionError(QuantityError):
    """Quantities of different dimensions combined, compared or converted."""


# --------------------------------------------------------------------------- dimensions

COUNT: Dim = (0, 0)
SIZE: Dim = (1, 0)
TIME: Dim = (0, 1)
RATE: Dim = (0, -1)
BANDWIDTH: Dim = (1, -1)

_DIM_NAMES = {
    COUNT: "count",
    SIZE: "size (B)",
    TIME: "time (s)",
    RATE: "rate (/s)",
    BANDWIDTH: "bandwidth (B/s)",
}

_UNIT_STR: dict[Dim, str] = {}
_DIM_OF: dict[str, Dim] = {}


def _unit_str(dim: Dim) -> str:
    """Canonical unit string of a dimension: ``B/s``, ``B*s``, ``/B/s``, ``s^2``."""
    text = _UNIT_STR.get(dim)
    if text is None:
        num: list[str] = []
        den: list[str] = []
        for base, exp in zip(("B", "s"), dim, strict=True):
            if exp:
                part = base if abs(exp) == 1 else f"{base}^{abs(exp)}"
                (num if exp > 0 else den).append(part)
        text = "*".join(num) + "".join("/" + d for d in den)
        _UNIT_STR[dim] = text
        _DIM_OF[text] = dim
    return text


def dimension_name(dim: Dim) -> str:
    """Human name of a dimension: ``count``, ``size (B)``, ``rate (/s)``, ``unit B*s``."""
    return _DIM_NAMES.get(dim) or f"unit {_unit_str(dim)}"


def _not_same(a: Dim, b: Dim) -> str:
    return f"a {dimension_name(a)} is not a {dimension_name(b)}"


# --------------------------------------------------------------------------- unit table

_MINUTE = 60.0
_HOUR = 3600.0
_DAY = 86400.0
_WEEK = 7 * _DAY
_MONTH = 30 * _DAY
_YEAR = 365 * _DAY

_NOUN, _TIMEKIND, _OTHER = 0, 1, 2

Unit = tuple[float, Dim, int]  # factor to base units, dimension, kind

_EXACT: dict[str, Unit] = {}  # case-sensitive spellings
_FOLD: dict[str, Unit] = {}  # lowercase keys, matched case-insensitively


def _add(table: dict[str, Unit], names: str, factor: float, dim: Dim, kind: int = _OTHER):
    for name in names.split():
        table[name] = (factor, dim, kind)


_add(_EXACT, "B", 1.0, SIZE)
_add(_EXACT, "b", 0.125, SIZE)
_add(_EXACT, "Bps", 1.0, BANDWIDTH)
_add(_FOLD, "byte bytes", 1.0, SIZE)
_add(_FOLD, "bit bits", 0.125, SIZE)
_add(_FOLD, "bps", 0.125, BANDWIDTH)
_SI_WORDS = {"k": "kilo", "m": "mega", "g": "giga", "t": "tera", "p": "peta", "e": "exa"}
_BIN_WORDS = {"k": "kibi", "m": "mebi", "g": "gibi", "t": "tebi", "p": "pebi", "e": "exbi"}
for _i, _p in enumerate("KMGTPE", start=1):
    _lo = _p.lower()
    _dec, _bin = 1000.0**_i, 1024.0**_i
    # Uppercase B is always bytes; all-lowercase is bytes too (what people mean by "mb");
    # an uppercase prefix with a lowercase b is bits.
    _add(_EXACT, f"{_p}B {_lo}B {_lo}b", _dec, SIZE)
    _add(_EXACT, f"{_p}b", _dec / 8, SIZE)
    _add(_EXACT, f"{_p}iB {_lo}iB {_lo}ib", _bin, SIZE)
    _add(_EXACT, f"{_p}ib", _bin / 8, SIZE)
    _add(_EXACT, f"{_p}Bps {_lo}Bps", _dec, BANDWIDTH)
    _add(_FOLD, f"{_lo}bps", _dec / 8, BANDWIDTH)  # "bps" is bits in every spelling
    _add(_FOLD, f"{_lo}bit {_lo}bits {_SI_WORDS[_lo]}bit {_SI_WORDS[_lo]}bits", _dec / 8, SIZE)
    _add(_FOLD, f"{_SI_WORDS[_lo]}byte {_SI_WORDS[_lo]}bytes", _dec, SIZE)
    _add(_FOLD, f"{_BIN_WORDS[_lo]}byte {_BIN_WORDS[_lo]}bytes", _bin, SIZE)

_add(_EXACT, "ns", 1e-9, TIME, _TIMEKIND)
_add(_EXACT, "us µs μs", 1e-6, TIME, _TIMEKIND)
_add(_EXACT, "ms", 1e-3, TIME, _TIMEKIND)
_add(_EXACT, "s", 1.0, TIME, _TIMEKIND)
_add(_EXACT, "m", _MINUTE, TIME, _TIMEKIND)
_add(_EXACT, "h", _HOUR, TIME, _TIMEKIND)
_add(_EXACT, "d", _DAY, TIME, _TIMEKIND)
_add(_EXACT, "y", _YEAR, TIME, _TIMEKIND)
_add(_FOLD, "nsec nsecs nanosecond nanoseconds", 1e-9, TIME, _TIMEKIND)
_add(_FOLD, "usec usecs microsecond microseconds", 1e-6, TIME, _TIMEKIND)
_add(_FOLD, "msec msecs millisecond milliseconds", 1e-3, TIME, _TIMEKIND)
_add(_FOLD, "sec secs second seconds", 1.0, TIME, _TIMEKIND)
_add(_FOLD, "min mins minute minutes", _MINUTE, TIME, _TIMEKIND)
_add(_FOLD, "hr hrs hour hours", _HOUR, TIME, _TIMEKIND)
_add(_FOLD, "day days", _DAY, TIME, _TIMEKIND)
_add(_FOLD, "wk wks week weeks", _WEEK, TIME, _TIMEKIND)
_add(_FOLD, "mo mos month months", _MONTH, TIME, _TIMEKIND)
_add(_FOLD, "yr yrs year years", _YEAR, TIME, _TIMEKIND)
_add(_FOLD, "qps rps tps hz", 1.0, RATE)
_add(_FOLD, "% percent pct", 0.01, COUNT)
# Money is a plain number of dollars, as the cost cards ask for it ("in USD"): `$0.0125`,
# `0.0125 USD`, `1.25 cents` and `$5k` all read as the number the card holds.
_add(_FOLD, "usd dollar dollars", 1.0, COUNT)
_add(_FOLD, "cent cents", 0.01, COUNT)
_COUNT_NOUNS = """
    user users request requests req reqs message messages msg msgs item items record records
    write writes read reads query queries op ops operation operations event events person
    people url urls object objects row rows server servers file files photo photos image
    images video videos post posts tweet tweets click clicks view views pageview pageviews
    visit visits visitor visitors transaction transactions txn txns call calls hit hits
    lookup lookups key keys entry entries customer customers order orders page pages
    document documents doc docs node nodes machine machines host hosts disk disks
    connection connections conn conns session sessions device devices task tasks job jobs
    packet packets update updates insert inserts delete deletes upload uploads download
    downloads search searches comment comments like likes link links account accounts
    id ids char chars character characters word words line lines dau mau times
"""
_add(_FOLD, _COUNT_NOUNS, 1.0, COUNT, _NOUN)


def _lookup(word: str) -> Unit | None:
    return _EXACT.get(word) or _FOLD.get(word.lower())


_MAGNITUDES = {
    "k": 1e3,
    "K": 1e3,
    "M": 1e6,
    "G": 1e9,
    "B": 1e9,
    "T": 1e12,
    "m": 1e6,
    "b": 1e9,
    "thousand": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "trillion": 1e12,
    "quadrillion": 1e15,
    "quintillion": 1e18,
    "tn": 1e12,
}

# --------------------------------------------------------------------------- regexes

_APPROX = re.compile(
    r"(?:~=|~|≈|≃|(?:about|approx\.?|approximately|around|roughly|circa|ca\.)(?![a-z]))\s*",
    re.IGNORECASE,
)
_ONE = re.compile(r"an?\s+(?=[A-Za-z])", re.IGNORECASE)
_SEPS = ",_ \u00a0\u202f"
_NUMBER = re.compile(
    r"""
    (?P<sign>[-+\u2212])?\s*
    (?:
        (?P<int>\d+(?:[,_ \u00a0\u202f]\d+)*)(?:\.(?P<frac>\d*))?
      | \.(?P<frac2>\d+)
    )
    (?:
        [eE](?P<e>[-+\u2212]?\d+)
      | \s*[x×*·]\s*10\s*(?:\^|\*\*)\s*(?P<x10>[-+\u2212]?\d+)
      | \s*(?:\^|\*\*)\s*(?P<pow>[-+\u2212]?\d+(?:\.\d+)?)
    )?
    (?:\s*\+(?![\d.]))?
    """,
    re.VERBOSE,
)
_MAGNITUDE = re.compile(
    r"\s*(?:(?P<word>(?i:thousand|million|billion|trillion|quadrillion|quintillion|mn|bn|tn))"
    r"(?![A-Za-z])"
    r"|(?P<letter>[kKMGTBmb]))\+?"
)
_UTOKEN = re.compile(
    r"\s*(?:(?P<op>[/*·×])|(?P<per>(?i:per))(?![A-Za-z])"
    r"|(?P<word>[A-Za-z%µμ]+)(?:\s*\^\s*(?P<exp>[-+\u2212]?\d+))?)"
)


class _UnitError(Exception):
    """Internal: why a unit text could not be read (becomes a QuantityError)."""


# --------------------------------------------------------------------------- units


def _read_unit(text: str) -> tuple[float, Dim]:
    """Read a unit expression (no number): ``MB/s``, ``requests per day``, ``B*s``, ``""``."""
    factor = 1.0
    nb = ns = 0
    pending: str | None = None  # "*" or "/" waiting for its factor
    have_prev = prev_noun = False
    prev_word = ""
    num_time = den_time = False
    pos, end = 0, len(text)
    while pos < end:
        m = _UTOKEN.match(text, pos)
        if m is None:
            rest = text[pos:].strip()
            if not rest:
                break
            raise _UnitError(f"unexpected {rest!r}")
        pos = m.end()
        op = m.group("op")
        if op or m.group("per"):
            if pending is not None:
                raise _UnitError("two operators in a row")
            if op and op != "/" and not have_prev:
                raise _UnitError(f"unit cannot start with {op!r}")
            pending = "*" if op and op != "/" else "/"
            continue
        word = m.group("word")
        unit = _lookup(word)
        if unit is None:
            raise _UnitError(f"unknown unit {word!r}")
        if pending is None and have_prev and not prev_noun:
            raise _UnitError(f"unexpected {word!r} after {prev_word!r}")
        f, (db, ds), kind = unit
        exp_text = m.group("exp")
        if exp_text is not None:
            exp = int(exp_text.replace("\u2212", "-"))
            f, db, ds = f**exp, db * exp, ds * exp
        if pending == "/":
            factor /= f
            nb, ns = nb - db, ns - ds
            den_time = den_time or kind == _TIMEKIND
        else:
            factor *= f
            nb, ns = nb + db, ns + ds
            num_time = num_time or kind == _TIMEKIND
        pending = None
        have_prev, prev_noun, prev_word = True, kind == _NOUN, word
    if pending is not None:
        raise _UnitError("unit ends with an operator")
    if num_time and den_time:
        raise _UnitError(f"{text.strip()!r} divides a time by a time")
    return factor, (nb, ns)


def _starts_countlike(rest: str) -> bool:
    """True when `rest` is empty or starts with a count noun, a rate word, '/' or 'per'."""
    m = _UTOKEN.match(rest)
    if m is None:
        return not rest.strip()
    if m.group("op") == "/" or m.group("per"):
        return True
    word = m.group("word")
    unit = _lookup(word) if word else None
    return unit is not None and (unit[2] == _NOUN or unit[1] == RATE)


def _read_magnitude_unit(text: str) -> tuple[float, Dim] | None:
    """A magnitude then a unit: ``M requests/day``, ``k QPS``, ``B`` (billion).

    None when `text` does not start with a magnitude; raises _UnitError when the unit after
    it cannot be read."""
    m = _MAGNITUDE.match(text)
    if m is None:
        return None
    word = m.group("word")
    key = word.lower() if word else m.group("letter")
    rest = text[m.end() :]
    if key in ("m", "b") and not _starts_countlike(rest):
        return None
    try:
        factor, dim = _read_unit(rest)
    except _UnitError:
        if m.group("letter") and rest[:1].isalpha():
            return None  # "Bogus": report the unit reading's error, not "ogus"
        raise
    return _MAGNITUDES[key] * factor, dim


@lru_cache(maxsize=1024)
def _unit_candidates(text: str) -> tuple[tuple[float, Dim] | _UnitError, ...]:
    """The readings of the unit part of a quantity: plain units first, then magnitude+unit."""
    readings: list[tuple[float, Dim] | _UnitError] = []
    try:
        readings.append(_read_unit(text))
    except _UnitError as exc:
        readings.append(exc)
    try:
        alt = _read_magnitude_unit(text)
        if alt is not None:
            readings.append(alt)
    except _UnitError as exc:
        readings.append(exc)
    return tuple(readings)


def _pick(readings, expect: Dim | None) -> tuple[float, Dim]:
    ok = [r for r in readings if not isinstance(r, _UnitError)]
    if not ok:
        raise _UnitError(str(readings[-1]))
    if expect is not None:
        for r in ok:
            if r[1] == expect:
                return r
    return ok[0]


@lru_cache(maxsize=256)
def _unit_reading(text: str) -> tuple[float, Dim]:
    """Unit text with an optional magnitude (for `to` and `expect`): ``MB/s``, ``M``, ``""``."""
    try:
        return _pick(_unit_candidates(text.strip()), None)
    except _UnitError as exc:
        raise QuantityError(f"cannot read {text!r} as a unit: {exc}") from None


def parse_unit(text: str) -> Quantity:
    """One of a unit: ``parse_unit("MB") == Quantity(1e6, "B")``; ``""`` is the count 1."""
    factor, dim = _unit_reading(text)
    return Quantity(factor, _unit_str(dim))


def _dim_of_unit(unit: str) -> Dim:
    """Dimension of a base-unit string (``B/s``, ``s*B``); QuantityError for anything else."""
    dim = _DIM_OF.get(unit)
    if dim is not None:
        return dim
    if isinstance(unit, str) and not unit.strip(" Bs*/^-0123456789"):
        try:
            factor, dim = _read_unit(unit)
        except _UnitError:
            pass
        else:
            if factor == 1.0:
                return dim
    raise QuantityError(
        f"Quantity.unit must be a base-unit string such as '', 'B', 's', '/s', 'B/s' "
        f"(got {unit!r}; use parse() or parse_unit() for other units)"
    )


for _dim in (COUNT, SIZE, TIME, RATE, BANDWIDTH):
    _unit_str(_dim)


# --------------------------------------------------------------------------- numbers


def _fail(text: str, reason: str) -> QuantityError:
    return QuantityError(f"cannot read {text!r} as a quantity: {reason} ({EXPECTED})")


def _digits(text: str, int_part: str) -> str:
    """Digits of an integer part, checking thousands separators."""
    if int_part.isdigit():
        return int_part
    groups = re.split(f"[{_SEPS}]", int_part)
    seps = {c for c in int_part if not c.isdigit()}
    if seps <= {" ", "\u00a0", "\u202f"}:
        seps = {" "}
    if "," in seps and len(groups) == 2 and len(groups[1]) != 3:
        raise _fail(
            text,
            f"{int_part!r}: use a dot for decimals ({'.'.join(groups)}); "
            "a comma only separates thousands, as in 1,500",
        )
    if len(seps) > 1:
        raise _fail(text, f"{int_part!r} mixes digit separators")
    if not 1 <= len(groups[0]) <= 3 or any(len(g) != 3 for g in groups[1:]):
        raise _fail(
            text, f"{int_part!r}: digit groups after a separator must have 3 digits (86,400)"
        )
    return "".join(groups)


def _number(text: str, m: re.Match[str]) -> float:
    int_part, frac, frac2 = m.group("int", "frac", "frac2")
    digits = _digits(text, int_part) if int_part is not None else "0"
    mantissa = f"{digits}.{frac or frac2 or ''}"
    e, x10, power = m.group("e", "x10", "pow")
    exp = e if e is not None else x10
    if exp is not None:
        value = float(f"{mantissa}e{exp.replace(chr(0x2212), '-')}")
    else:
        value = float(mantissa)
        if power is not None:
            try:
                value = value ** float(power.replace("\u2212", "-"))
            except (OverflowError, ZeroDivisionError):
                raise _fail(text, "number too large") from None
    if not math.isfinite(value):
        raise _fail(text, "number too large")
    if m.group("sign") in ("-", "\u2212"):
        value = -value
    return value


def parse(text: str | float, *, expect: str | None = None) -> Quantity:
    """Read a quantity as people type it; see the module docstring for what is accepted.

    `expect` is a unit (``""`` for a count, ``"B"``, ``"/s"`` ...) used only to choose
    between readings of ambiguous text: ``parse("6B")`` is six bytes, ``parse("6B",
    expect="")`` six billion. Plain ints and floats are counts. Raises QuantityError."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        if not math.isfinite(text):
            raise _fail(str(text), "not a finite number")
        return Quantity(float(text), "")
    if not isinstance(text, str):
        raise TypeError(f"parse() needs text, got {type(text).__name__}")
    expect_dim = None if expect is None else _unit_reading(expect)[1]
    return _parse(text, expect_dim)


@lru_cache(maxsize=4096)
def _parse(text: str, expect: Dim | None) -> Quantity:
    s = text.strip()
    if s.endswith(".") and len(s) > 1 and not s[-2].isdigit():
        s = s[:-1]  # "2 days."
    m = _APPROX.match(s)
    if m:
        s = s[m.end() :]
    if s[:1] == "$":  # dollars: a plain number (see the money units)
        s = s[1:].lstrip()
    if s.endswith("+"):
        s = s[:-1].rstrip()
    if not s:
        raise _fail(text, "empty text")
    m = _ONE.match(s)
    if m:
        value, rest = 1.0, s[m.end() :]
    else:
        m = _NUMBER.match(s)
        if m is None:
            raise _fail(text, "it does not start with a number")
        value, rest = _number(text, m), s[m.end() :]
    if not rest or rest.isspace():
        return Quantity(value, "")
    if rest[0] == "," and rest[1:2].isdigit():
        raise _fail(text, "use a dot for decimals; a comma only separates thousands (1,500.5)")
    try:
        factor, dim = _pick(_unit_candidates(rest.strip()), expect)
    except _UnitError as exc:
        raise _fail(text, str(exc)) from None
    return Quantity(value * factor, _unit_str(dim))


def parse_tolerance(text_or_number: str | float) -> float:
    """A relative tolerance: ``"20%"`` → 0.2, ``0.2`` → 0.2, ``"0.2"`` → 0.2.

    Negative, non-finite or unreadable values raise QuantityError."""
    value = text_or_number
    if isinstance(value, str):
        try:
            q = parse(value)
        except QuantityError:
            raise QuantityError(
                f"cannot read {value!r} as a tolerance (expected a percentage like 20% "
                "or a fraction like 0.2)"
            ) from None
        if q.unit:
            raise QuantityError(f"a tolerance has no unit (got {value!r}; write 20% or 0.2)")
        value = q.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise QuantityError(f"a tolerance must be a number or text, got {value!r}")
    if not math.isfinite(value) or value < 0:
        raise QuantityError(f"a tolerance must be zero or more, got {text_or_number!r}")
    return float(value)


# --------------------------------------------------------------------------- formatting


def _fixed(x: float, digits: int) -> tuple[str, float]:
    """Non-negative `x` to `digits` significant digits (never dropping integer digits),
    thousands separated, trailing zeros removed. Returns the text and the rounded value."""
    if x == 0:
        return "0", 0.0
    if x < 1e-4 or x >= 1e15:
        text = f"{x:.{digits}g}"
        return text, float(text)
    decimals = max(0, digits - 1 - math.floor(math.log10(x)))
    r = round(x, decimals)
    text = f"{r:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text, r


def _ladder(x: float, digits: int, steps: tuple[tuple[float, str], ...]) -> str:
    """Write x >= 0 with the largest step whose scale fits, moving up when rounding
    reaches the next step (999.96 KB → 1 MB)."""
    i = 0
    while i + 1 < len(steps) and x >= steps[i + 1][0]:
        i += 1
    text, r = _fixed(x / steps[i][0], digits)
    if i + 1 < len(steps) and r * steps[i][0] >= steps[i + 1][0]:
        i += 1
        text, r = _fixed(x / steps[i][0], digits)
    suffix = steps[i][1]
    if r == 1 and suffix in (" days", " years"):
        suffix = suffix[:-1]  # "1 day", "1 year"
    return text + suffix


_SIZE_STEPS = tuple((1000.0**i, " " + p + "B") for i, p in enumerate(["", *"KMGTPE"]))
_BANDWIDTH_STEPS = tuple((f, u + "/s") for f, u in _SIZE_STEPS)
_COUNT_STEPS = ((1.0, ""), (1e6, " million"), (1e9, " billion"), (1e12, " trillion"))
_RATE_STEPS = tuple((1000.0**i, p + " /s") for i, p in enumerate(["", *"KMGT"]))
_TIME_STEPS = (
    (1e-9, " ns"),
    (1e-6, " µs"),
    (1e-3, " ms"),
    (1.0, " s"),
    (_MINUTE, " min"),
    (_HOUR, " h"),
    (_DAY, " days"),
    (_YEAR, " years"),
)
_SLOW_RATES = ((_MINUTE, " /min"), (_HOUR, " /h"), (_DAY, " /day"))


def _format(value: float, dim: Dim, digits: int) -> str:
    if not math.isfinite(value):
        unit = _unit_str(dim)
        return f"{value} {unit}" if unit else str(value)
    if value == 0 and dim != COUNT:  # not "0 ns": nothing is nothing in the base unit
        return f"0 {_unit_str(dim)}"
    sign = "-" if value < 0 else ""
    x = abs(value)
    if dim == COUNT:
        if x >= 1e15:
            return sign + _fixed(x, digits)[0]
        return sign + _ladder(x, digits, _COUNT_STEPS)
    if dim == SIZE:
        return sign + _ladder(x, digits, _SIZE_STEPS)
    if dim == BANDWIDTH:
        return sign + _ladder(x, digits, _BANDWIDTH_STEPS)
    if dim == TIME:
        return sign + _ladder(x, digits, _TIME_STEPS)
    if dim == RATE:
        if x == 0 or _fixed(x, digits)[1] >= 0.1:
            return sign + _ladder(x, digits, _RATE_STEPS)
        for per, suffix in _SLOW_RATES:
            if x * per >= 1:
                return sign + _fixed(x * per, digits)[0] + suffix
        return sign + _fixed(x * _YEAR, digits)[0] + " /year"
    unit = _unit_str(dim)
    return f"{sign}{_fixed(x, digits)[0]} {unit}"


# --------------------------------------------------------------------------- Quantity


def _as_quantity(other: object) -> Quantity | None:
    if isinstance(other, Quantity):
        return other
    if isinstance(other, int | float) and not isinstance(other, bool):
        return Quantity(float(other), "")
    return None


@dataclass(frozen=True)
class Quantity:
    """A value in SI base units (bytes, seconds) and its canonical unit string.

    ``Quantity(125e6, "B/s")`` is 125 MB/s. Arithmetic keeps track of the dimension:
    ``parse("125 MB/s") * parse("2 s") == Quantity(250e6, "B")``; adding or comparing
    different dimensions raises DimensionError. Plain numbers act as counts."""

    value: float
    unit: str = ""
    _dim: Dim = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        dim = _DIM_OF.get(self.unit)
        if dim is None:
            dim = _dim_of_unit(self.unit)
            object.__setattr__(self, "unit", _unit_str(dim))
        object.__setattr__(self, "_dim", dim)
        if type(self.value) is not float:
            if isinstance(self.value, bool) or not isinstance(self.value, int | float):
                raise TypeError(f"Quantity.value must be a number, got {self.value!r}")
            object.__setattr__(self, "value", float(self.value))

    # -- dimensions
    @property
    def dimension(self) -> Dim:
        """Exponents of (bytes, seconds): ``(1, -1)`` for B/s."""
        return self._dim

    @property
    def dimension_name(self) -> str:
        """``count``, ``size (B)``, ``time (s)``, ``rate (/s)``, ``bandwidth (B/s)`` ..."""
        return dimension_name(self._dim)

    def same_dimension(self, other: Quantity | float) -> bool:
        q = _as_quantity(other)
        return q is not None and q._dim == self._dim

    def _check(self, other: Quantity, verb: str) -> None:
        if other._dim != self._dim:
            raise DimensionError(
                f"{_not_same(self._dim, other._dim)}: cannot {verb} "
                f"{self.format()} and {other.format()}"
            )

    def to(self, unit_text: str) -> float:
        """The value in another unit: ``parse("1 Gbps").to("MB/s") == 125.0``."""
        factor, dim = _unit_reading(unit_text)
        if dim != self._dim:
            raise DimensionError(
                f"{_not_same(self._dim, dim)}: cannot express {self.format()} in {unit_text!r}"
            )
        return self.value / factor

    # -- arithmetic
    def __mul__(self, other: object) -> Quantity:
        q = _as_quantity(other)
        if q is None:
            return NotImplemented
        a, b = self._dim, q._dim
        return Quantity(self.value * q.value, _unit_str((a[0] + b[0], a[1] + b[1])))

    __rmul__ = __mul__

    def __truediv__(self, other: object) -> Quantity:
        q = _as_quantity(other)
        if q is None:
            return NotImplemented
        a, b = self._dim, q._dim
        return Quantity(self.value / q.value, _unit_str((a[0] - b[0], a[1] - b[1])))

    def __rtruediv__(self, other: object) -> Quantity:
        q = _as_quantity(other)
        if q is None:
            return NotImplemented
        return q / self

    def __add__(self, other: object) -> Quantity:
        q = _as_quantity(other)
        if q is None:
            return NotImplemented
        self._check(q, "add")
        return Quantity(self.value + q.value, self.unit)

    def __radd__(self, other: object) -> Quantity:
        q = _as_quantity(other)
        if q is None:
            return NotImplemented
        return q + self

    def __sub__(self, other: object) -> Quantity:
        q = _as_quantity(other)
        if q is None:
            return NotImplemented
        self._check(q, "subtract")
        return Quantity(self.value - q.value, self.unit)

    def __rsub__(self, other: object) -> Quantity:
        q = _as_quantity(other)
        if q is None:
            return NotImplemented
        return q - self

    def __neg__(self) -> Quantity:
        return Quantity(-self.value, self.unit)

    def __pos__(self) -> Quantity:
        return self

    def __abs__(self) -> Quantity:
        return Quantity(abs(self.value), self.unit)

    def __pow__(self, exponent: object) -> Quantity:
        """Integer powers of anything; any real power of a count; fractional powers when the
        resulting exponents are whole (``(4 s^2) ** 0.5 == 2 s``)."""
        q = _as_quantity(exponent)
        if q is None:
            return NotImplemented
        if q._dim != COUNT:
            raise DimensionError(f"an exponent must be a count, not a {q.dimension_name}")
        p = q.value
        b, s = self._dim[0] * p, self._dim[1] * p
        if b != int(b) or s != int(s):
            raise DimensionError(f"cannot raise a {self.dimension_name} to the power {p:g}")
        if self.value < 0 and p != int(p):
            raise QuantityError(f"cannot raise a negative number to the power {p:g}")
        try:
            value = self.value**p
        except ZeroDivisionError:
            raise ZeroDivisionError("zero cannot be raised to a negative power") from None
        return Quantity(float(value), _unit_str((int(b), int(s))))

    def __rpow__(self, base: object) -> Quantity:
        q = _as_quantity(base)
        if q is None:
            return NotImplemented
        return q**self

    def __float__(self) -> float:
        if self._dim != COUNT:
            raise DimensionError(
                f"only a count converts to a plain number; use .value or .to() for a "
                f"{self.dimension_name}"
            )
        return self.value

    # -- comparisons
    def _cmp_value(self, other: object) -> float | None:
        q = _as_quantity(other)
        if q is None:
            return None
        self._check(q, "compare")
        return q.value

    def __lt__(self, other: object) -> bool:
        v = self._cmp_value(other)
        return NotImplemented if v is None else self.value < v

    def __le__(self, other: object) -> bool:
        v = self._cmp_value(other)
        return NotImplemented if v is None else self.value <= v

    def __gt__(self, other: object) -> bool:
        v = self._cmp_value(other)
        return NotImplemented if v is None else self.value > v

    def __ge__(self, other: object) -> bool:
        v = self._cmp_value(other)
        return NotImplemented if v is None else self.value >= v

    # -- text
    def format(self, digits: int = 3) -> str:
        """Friendly text with `digits` significant digits: ``3 TB``, ``125 MB/s``,
        ``86,400``, ``1.2 million``, ``2.5 s``, ``3 days``, ``40 /s``, ``1.2K /s``.
        ``parse()`` reads it back to within the displayed precision."""
        if digits < 1:
            raise ValueError("digits must be at least 1")
        return _format(self.value, self._dim, digits)

    def __str__(self) -> str:
        return self.format()
