"""drill.formula: safe arithmetic over quantities for card formulas and problem templates."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time

import pytest

from drill.formula import CONSTANTS, FUNCTIONS, FormulaError, evaluate, explain, names_used
from drill.quantity import DimensionError, Quantity, parse

DAY = 86400.0
MONTH = 30 * DAY
YEAR = 365 * DAY


@pytest.mark.parametrize(
    ("formula", "value", "unit"),
    [
        # plain arithmetic
        ("1 + 2 * 3", 7.0, ""),
        ("(1 + 2) * 3", 9.0, ""),
        ("7 / 2", 3.5, ""),
        ("7 // 2", 3.0, ""),
        ("-7 // 2", -4.0, ""),
        ("7 % 3", 1.0, ""),
        ("10 % 3", 1.0, ""),
        ("10%3", 1.0, ""),
        ("2 ** 10", 1024.0, ""),
        ("2^10", 1024.0, ""),
        ("62^6", 62.0**6, ""),
        ("2 ** -1", 0.5, ""),
        ("-2 ** 2", -4.0, ""),
        ("--3", 3.0, ""),
        ("+3", 3.0, ""),
        ("3 × 4", 12.0, ""),
        ("3 · 4", 12.0, ""),
        ("12 ÷ 4", 3.0, ""),
        ("5 − 2", 3.0, ""),
        ("1_000 * 3", 3000.0, ""),
        (".5 * 4", 2.0, ""),
        ("3e12", 3e12, ""),
        ("3x10^12", 3e12, ""),
        ("3 × 10^12", 3e12, ""),
        # magnitude suffixes, percentages and words
        ("100M", 1e8, ""),
        ("2.5K", 2500.0, ""),
        ("1.2k", 1200.0, ""),
        ("6G", 6e9, ""),
        ("3T", 3e12, ""),
        ("99%", 0.99, ""),
        ("50% * 8", 4.0, ""),
        ("(25%)", 0.25, ""),
        ("3 million", 3e6, ""),
        ("1.5 billion", 1.5e9, ""),
        ("2 thousand", 2000.0, ""),
        ("1 trillion", 1e12, ""),
        ("5 percent", 0.05, ""),
        ("pi", math.pi, ""),
        ("e", math.e, ""),
        # units by juxtaposition and as constants
        ("1M / day", 1e6 / DAY, "/s"),
        ("100M / day", 1e8 / DAY, "/s"),
        ("100M * 12 * 5 * 500 B", 3e12, "B"),
        ("3 TB / 5 year", 3e12 / (5 * YEAR), "B/s"),
        ("3 TB / 5 years", 3e12 / (5 * YEAR), "B/s"),
        ("3 TB / yr", 3e12 / YEAR, "B/s"),
        ("1 Gb / 8", 1.25e8 / 8, "B"),
        ("1 Gbps * 1 s", 1.25e8, "B"),
        ("1 Gbps / (1 MB / s)", 125.0, ""),
        ("500 B", 500.0, "B"),
        ("500B", 500.0, "B"),
        ("6B", 6.0, "B"),
        ("3TB", 3e12, "B"),
        ("100MB/s * 2 s", 2e8, "B"),
        ("1 KiB", 1024.0, "B"),
        ("1 Mb", 125_000.0, "B"),
        ("8 bits", 1.0, "B"),
        ("2 min", 120.0, "s"),
        ("2 minutes + 30 s", 150.0, "s"),
        ("1 hour / 1 min", 60.0, ""),
        ("250 ms + 250 ms", 0.5, "s"),
        ("3 us", 3e-6, "s"),
        ("1 month", MONTH, "s"),
        ("1 week / day", 7.0, ""),
        ("5 s^2", 5.0, "s^2"),
        ("5 s**2", 5.0, "s^2"),
        ("2 s^-1", 2.0, "/s"),
        ("1 / second", 1.0, "/s"),
        ("MB / s", 1e6, "B/s"),
        ("B * s", 1.0, "B*s"),
        # functions
        ("ceil(log(6e9, 62))", 6.0, ""),
        ("ceil(2.1)", 3.0, ""),
        ("floor(2.9)", 2.0, ""),
        ("round(2.5)", 3.0, ""),
        ("round(-2.5)", -3.0, ""),
        ("round(2.567, 2)", 2.57, ""),
        ("round(1234, -2)", 1200.0, ""),
        ("abs(-3 s)", 3.0, "s"),
        ("sqrt(16)", 4.0, ""),
        ("sqrt(4 s^2)", 2.0, "s"),
        ("log(e)", 1.0, ""),
        ("log(1000, 10)", 3.0, ""),
        ("log2(1024)", 10.0, ""),
        ("log10(1000)", 3.0, ""),
        ("min(1 s, 2 ms)", 0.002, "s"),
        ("max(1 TB, 2 TiB, 3 GB)", 2 * 1024.0**4, "B"),
        ("min(3)", 3.0, ""),
        ("ceil(1.5 KB)", 1500.0, "B"),
        ("ceil(1500.5 B)", 1501.0, "B"),
        ("ceil(100M / (1000 * 86400))", 2.0, ""),
        ("2 min + min(1 s, 2 s)", 121.0, "s"),
    ],
)
def test_evaluate(formula, value, unit):
    q = evaluate(formula)
    assert q.unit == unit
    assert q.value == pytest.approx(value, rel=1e-12)


def test_ceil_log_matches_the_napkin():
    assert 62.0**5 < 6e9 < 62.0**6 == pytest.approx(5.68e10, rel=1e-3)
    assert evaluate("ceil(log(6e9, 62))") == Quantity(6.0, "")


def test_names():
    assert evaluate("new_urls_per_month / month", {"new_urls_per_month": 100e6}).value == (
        pytest.approx(1e8 / MONTH)
    )
    names = {"records": parse("6 billion"), "record_size": parse("500 B")}
    assert evaluate("records * record_size", names) == Quantity(3e12, "B")
    assert evaluate("records * 500 B", names) == Quantity(3e12, "B")
    assert evaluate("ceil(log(records, 62))", names) == Quantity(6.0, "")
    # values may be text read by quantity.parse, or plain ints
    assert evaluate("x / y", {"x": "3 TB", "y": "1 day"}).value == pytest.approx(3e12 / DAY)
    assert evaluate("n * 2", {"n": 21}) == Quantity(42.0, "")
    # names shadow constants, and a number juxtaposes with a name too
    assert evaluate("2 h", {"h": 5}) == Quantity(10.0, "")
    assert evaluate("day", {"day": parse("8 h")}) == parse("8 h")
    # functions are never shadowed by names
    assert evaluate("min(1, 2) + 5 min", {"min": 2}) == Quantity(11.0, "")


def test_names_used():
    assert names_used("ceil(log(records, 62)) * size + day") == {"records", "size", "day"}
    assert names_used("new_urls_per_month / month") == {"new_urls_per_month", "month"}
    assert names_used("100M * 500 B") == {"B"}
    assert names_used("1 + 2") == set()
    assert names_used("min(a, b)") == {"a", "b"}
    with pytest.raises(FormulaError, match="syntax error"):
        names_used("a +")
    with pytest.raises(FormulaError, match="attribute"):
        names_used("a.b")


def test_explain():
    assert (
        explain("new_urls_per_month / month", {"new_urls_per_month": 100e6})
        == "100 million / month ≈ 38.6 /s"
    )
    assert explain("records * record_size", {"records": 6e9, "record_size": parse("500 B")}) == (
        "6 billion * 500 B ≈ 3 TB"
    )
    assert explain("3 TB / 5 years") == "3 TB / 5 years ≈ 19 KB/s"
    assert explain("min(a,  b)", {"a": 1, "b": 2, "min": 7}) == "min(1, 2) ≈ 1"


def test_constants_and_functions():
    assert CONSTANTS["day"] == Quantity(86400.0, "s")
    assert CONSTANTS["month"] == Quantity(30 * 86400.0, "s")
    assert CONSTANTS["year"] == Quantity(365 * 86400.0, "s")
    assert CONSTANTS["KB"] == Quantity(1000.0, "B")
    assert CONSTANTS["KiB"] == Quantity(1024.0, "B")
    assert CONSTANTS["Gb"] == Quantity(1.25e8, "B")
    assert CONSTANTS["percent"] == Quantity(0.01, "")
    assert CONSTANTS["B"] == Quantity(1.0, "B")
    assert set(FUNCTIONS) == {
        "min",
        "max",
        "ceil",
        "floor",
        "log2",
        "log10",
        "sqrt",
        "round",
        "abs",
        "log",
    }
    with pytest.raises(TypeError):
        CONSTANTS["day"] = Quantity(1.0, "s")  # type: ignore[index]


# -- refused constructs: (formula, message fragment)
REFUSED = [
    ("__import__('os')", "function '__import__' is not allowed (allowed: min, max, ceil"),
    ("().__class__", "attribute access is not allowed"),
    ("().__class__.__bases__[0].__subclasses__()", "not allowed"),
    ("open('x')", "function 'open' is not allowed"),
    ("eval('1')", "function 'eval' is not allowed"),
    ("x.y", "attribute access is not allowed"),
    ("x.y()", "attribute access is not allowed"),
    ("[1][0]", "indexing is not allowed"),
    ("[1, 2]", "lists are not allowed"),
    ("(1, 2)", "tuples are not allowed"),
    ("{1: 2}", "dicts are not allowed"),
    ("lambda: 1", "lambda is not allowed"),
    ("[x for x in y]", "comprehensions are not allowed"),
    ("'a' * 3", "strings are not allowed"),
    ("b'a'", "strings are not allowed"),
    ("f'{x}'", "strings are not allowed"),
    ("9**9**9", "exponent too large"),
    ("10**10**10", "exponent too large"),
    ("2 ** 101", "exponent too large"),
    ("1e300 ** 2", "number too large"),
    ("1e300 * 1e300", "number too large"),
    ("1e999", "number too large"),
    ("max(1, key=2)", "keyword arguments are not allowed"),
    ("max(*a)", "'*' unpacking is not allowed"),
    ("f(*a)", "not allowed"),
    ("__builtins__", "names starting with '__' are not allowed"),
    ("True + 1", "True is not allowed"),
    ("None", "None is not allowed"),
    ("...", "Ellipsis is not allowed"),
    ("1 < 2", "comparisons are not allowed"),
    ("1 and 2", "'and'/'or' are not allowed"),
    ("1 if 2 else 3", "'if' expressions are not allowed"),
    ("(x := 1)", "':=' is not allowed"),
    ("not 1", "only + and - are allowed"),
    ("~1", "only + and - are allowed"),
    ("1 | 2", "operator '|' is not allowed"),
    ("1 << 2", "operator '<<' is not allowed"),
    ("(lambda: 1)()", "only functions called by name are allowed"),
    ("2 ** (1 s)", "'**' needs a plain-number exponent, not a time (s)"),
    ("1 / 0", "division by zero"),
    ("1 // (0 s)", "division by zero"),
    ("5 % 0", "division by zero"),
    ("0 ** -1", "division by zero"),
    ("1 MB + 1 s", "a size (B) is not a time (s)"),
    ("1 MB % 1 s", "a size (B) is not a time (s)"),
    ("min(1 MB, 1 s)", "min() needs arguments of one dimension"),
    ("log(1 s)", "log() needs a plain number, got a time (s)"),
    ("log(0)", "log() needs a positive number"),
    ("log(8, 1)", "positive base other than 1"),
    ("log2(-1)", "log2() needs a positive number"),
    ("sqrt(-1)", "sqrt() of a negative number"),
    ("sqrt(2 s)", "sqrt() of a time (s) has no unit"),
    ("(1 s) ** 0.5", "cannot raise a time (s) to the power 0.5"),
    ("(-8) ** 0.5", "negative number"),
    ("ceil(1, 2)", "ceil() takes 1 argument (got 2)"),
    ("round()", "round() takes 1 or 2 arguments (got 0)"),
    ("max()", "max() takes at least 1 argument (got 0)"),
    ("round(1, 0.5)", "whole number of digits"),
    ("foo + 1", "unknown name 'foo' (known: "),
    ("", "empty formula"),
    ("   ", "empty formula"),
    ("1 +", "syntax error at column"),
    ("1 2", "syntax error at column 3"),
    ("(1 + 2", "syntax error at column 1: '(' was never closed"),
    ("a b", "syntax error at column 3"),
    ("2 min(1, 2)", "syntax error"),
    ("1, 2", "tuples are not allowed"),
    ("1\x00", "syntax error"),
    ("1 + " * 600 + "1", "formula too long"),
    ("(" * 300 + "1" + ")" * 300, "syntax error"),
]


@pytest.mark.parametrize(("formula", "fragment"), REFUSED)
def test_refused(formula, fragment):
    start = time.perf_counter()
    with pytest.raises(FormulaError) as info:
        evaluate(formula, {"x": 1, "y": 2, "a": 3})
    assert fragment in str(info.value)
    assert time.perf_counter() - start < 0.5


def test_error_columns():
    with pytest.raises(FormulaError) as info:
        evaluate("1 + (2 *) + 3")
    assert info.value.column == 8
    assert str(info.value) == "syntax error at column 9"
    assert info.value.formula == "1 + (2 *) + 3"

    with pytest.raises(FormulaError) as info:
        evaluate("records * foo", {"records": 1})
    assert info.value.column == 10
    message = str(info.value)
    assert message.startswith("unknown name 'foo' (known: records, second, ")
    for name in ("day", "hour", "month", "year", "KB", "GiB", "million", "records"):
        assert f" {name}," in message or f" {name})" in message

    with pytest.raises(FormulaError, match="did you mean 'day'") as info:
        evaluate("100M / dya")
    assert info.value.column == 7

    with pytest.raises(FormulaError) as info:
        evaluate("3 TB / (5 years - 5 years)")
    assert str(info.value) == "division by zero"
    assert info.value.column == 5

    with pytest.raises(FormulaError) as info:
        evaluate("2 KB + 3 s")
    assert info.value.column == 5
    assert isinstance(info.value.__cause__, DimensionError)

    with pytest.raises(FormulaError) as info:  # columns survive the rewriting of literals
        evaluate("100M * 2.5K + 3 TB")
    assert info.value.column == 12

    with pytest.raises(FormulaError) as info:
        evaluate("1 + open('x')")
    assert info.value.column == 4


def test_formula_error_is_value_error():
    assert issubclass(FormulaError, ValueError)
    assert FormulaError("x").column is None
    with pytest.raises(FormulaError, match="must be text"):
        evaluate(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("names", "fragment"),
    [
        ({"x": [1]}, "name 'x' has a list, not a quantity"),
        ({"x": "3 parsecs"}, "name 'x': cannot read '3 parsecs'"),
        ({"x": float("inf")}, "name 'x' is not a finite number"),
        ({"x": True}, "name 'x' has a bool"),
    ],
)
def test_bad_name_values(names, fragment):
    with pytest.raises(FormulaError, match="^" + fragment.replace("(", r"\(")):
        evaluate("x + 1", names)


def test_deep_but_short_formulas_are_refused_cleanly():
    with pytest.raises(FormulaError):
        evaluate("-" * 1999 + "1")
    assert evaluate("+".join(["1"] * 900)) == Quantity(900.0, "")


def test_evaluate_is_fast():
    formulas = ["100M * 12 * 5 * 500 B", "ceil(log(records, 62))", "1M / day"]
    start = time.perf_counter()
    for i in range(300):
        evaluate(formulas[i % 3] + " " * (i // 3), {"records": 6e9})  # new text: no cache
    assert (time.perf_counter() - start) / 300 < 2e-3


def test_import_uses_only_the_standard_library():
    code = (
        "import sys, json; before = set(sys.modules); import drill.formula; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    outside = [
        name
        for name in json.loads(out)
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "drill"
    ]
    assert outside == []


def test_docstring_examples():
    import doctest

    import drill.formula

    failures, tried = doctest.testmod(drill.formula, verbose=False)
    assert tried >= 4 and failures == 0
