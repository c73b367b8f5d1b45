"""drill.quantity: reading quantities as people type them, arithmetic, conversion, format."""

from __future__ import annotations

import json
import math
import random
import subprocess
import sys
import time

import pytest

from drill.quantity import (
    DimensionError,
    Quantity,
    QuantityError,
    dimension_name,
    parse,
    parse_tolerance,
    parse_unit,
)

DAY = 86400.0
MONTH = 30 * DAY
YEAR = 365 * DAY

# (text, expected value in base units, expected canonical unit)
ACCEPTED = [
    # plain numbers and separators
    ("0", 0.0, ""),
    ("42", 42.0, ""),
    ("86400", 86400.0, ""),
    ("86,400", 86400.0, ""),
    ("86 400", 86400.0, ""),
    ("86_400", 86400.0, ""),
    ("86\u202f400", 86400.0, ""),
    ("1,000,000", 1e6, ""),
    ("1 000 000", 1e6, ""),
    ("1,500.5", 1500.5, ""),
    ("1.5", 1.5, ""),
    (".5", 0.5, ""),
    ("5.", 5.0, ""),
    ("-5", -5.0, ""),
    ("\u22125", -5.0, ""),
    ("+5", 5.0, ""),
    # scientific and powers
    ("3e12", 3e12, ""),
    ("3E12", 3e12, ""),
    ("2.5e-3", 2.5e-3, ""),
    ("3x10^12", 3e12, ""),
    ("3 x 10^12", 3e12, ""),
    ("3×10^12", 3e12, ""),
    ("3*10^12", 3e12, ""),
    ("3·10^12", 3e12, ""),
    ("10^3", 1000.0, ""),
    ("10^-3", 1e-3, ""),
    ("2^10", 1024.0, ""),
    ("2**10", 1024.0, ""),
    ("-2^2", -4.0, ""),
    # magnitudes
    ("1.2k", 1200.0, ""),
    ("1.2K", 1200.0, ""),
    ("100M", 1e8, ""),
    ("2.5K", 2500.0, ""),
    ("2.5 K", 2500.0, ""),
    ("3G", 3e9, ""),
    ("3T", 3e12, ""),
    ("3 million", 3e6, ""),
    ("1.5 billion", 1.5e9, ""),
    ("2 thousand", 2000.0, ""),
    ("1 trillion", 1e12, ""),
    ("4 Million", 4e6, ""),
    ("2mn", 2e6, ""),
    ("6bn", 6e9, ""),
    ("a million", 1e6, ""),
    # approximations, plus, percent
    ("~40", 40.0, ""),
    ("~ 40", 40.0, ""),
    ("~=40", 40.0, ""),
    ("≈40", 40.0, ""),
    ("about 40", 40.0, ""),
    ("approx 40", 40.0, ""),
    ("approx. 40", 40.0, ""),
    ("roughly 2 days", 2 * DAY, "s"),
    ("100K+", 1e5, ""),
    ("100+", 100.0, ""),
    ("100K+ users", 1e5, ""),
    ("25%", 0.25, ""),
    ("99.9%", 0.999, ""),
    ("5 percent", 0.05, ""),
    # bytes
    ("6B", 6.0, "B"),
    ("6 B", 6.0, "B"),
    ("1 byte", 1.0, "B"),
    ("500 bytes", 500.0, "B"),
    ("3 TB", 3e12, "B"),
    ("3TB", 3e12, "B"),
    ("1 KB", 1e3, "B"),
    ("1 kB", 1e3, "B"),
    ("1 MB", 1e6, "B"),
    ("1 GB", 1e9, "B"),
    ("2 PB", 2e15, "B"),
    ("1 EB", 1e18, "B"),
    ("1 KiB", 1024.0, "B"),
    ("1 MiB", 1024.0**2, "B"),
    ("1 GiB", 1024.0**3, "B"),
    ("1 TiB", 1024.0**4, "B"),
    ("1 kib", 1024.0, "B"),
    ("2 gigabytes", 2e9, "B"),
    # lowercase mb is megabytes, mixed-case Mb megabits
    ("1 mb", 1e6, "B"),
    ("1 MB", 1e6, "B"),
    ("1 Mb", 125_000.0, "B"),
    ("1 kb", 1e3, "B"),
    ("1 Kb", 125.0, "B"),
    ("1 gb", 1e9, "B"),
    ("1 Gb", 1.25e8, "B"),
    ("1 tb", 1e12, "B"),
    ("1 Tb", 1.25e11, "B"),
    # bits
    ("8 b", 1.0, "B"),
    ("8 bits", 1.0, "B"),
    ("1 bit", 0.125, "B"),
    ("1 Mbit", 125_000.0, "B"),
    ("1 kbit", 125.0, "B"),
    ("1 megabit", 125_000.0, "B"),
    # time
    ("1 ns", 1e-9, "s"),
    ("3 us", 3e-6, "s"),
    ("3 µs", 3e-6, "s"),
    ("3 μs", 3e-6, "s"),
    ("250 ms", 0.25, "s"),
    ("2 s", 2.0, "s"),
    ("2 sec", 2.0, "s"),
    ("2 secs", 2.0, "s"),
    ("1 second", 1.0, "s"),
    ("30 seconds", 30.0, "s"),
    ("5m", 300.0, "s"),
    ("5 min", 300.0, "s"),
    ("5 mins", 300.0, "s"),
    ("1 minute", 60.0, "s"),
    ("2 h", 7200.0, "s"),
    ("2 hr", 7200.0, "s"),
    ("2 hrs", 7200.0, "s"),
    ("2 hours", 7200.0, "s"),
    ("1 d", DAY, "s"),
    ("1 day", DAY, "s"),
    ("2 days", 2 * DAY, "s"),
    ("a day", DAY, "s"),
    ("an hour", 3600.0, "s"),
    ("1 week", 7 * DAY, "s"),
    ("2 weeks", 14 * DAY, "s"),
    ("1 month", MONTH, "s"),
    ("1 year", YEAR, "s"),
    ("5 years", 5 * YEAR, "s"),
    ("1 yr", YEAR, "s"),
    ("1 y", YEAR, "s"),
    ("2 days.", 2 * DAY, "s"),
    # rates
    ("40 /s", 40.0, "/s"),
    ("40/s", 40.0, "/s"),
    ("40 per second", 40.0, "/s"),
    ("40 per sec", 40.0, "/s"),
    ("40 QPS", 40.0, "/s"),
    ("40QPS", 40.0, "/s"),
    ("40 qps", 40.0, "/s"),
    ("~40 QPS", 40.0, "/s"),
    ("40 RPS", 40.0, "/s"),
    ("40 TPS", 40.0, "/s"),
    ("40 Hz", 40.0, "/s"),
    ("1.2kQPS", 1200.0, "/s"),
    ("1.2k QPS", 1200.0, "/s"),
    ("100 req/s", 100.0, "/s"),
    ("100 requests/s", 100.0, "/s"),
    ("100 ops/s", 100.0, "/s"),
    ("100 ops/sec", 100.0, "/s"),
    ("40 writes/s", 40.0, "/s"),
    ("5 messages per second", 5.0, "/s"),
    ("60 /min", 1.0, "/s"),
    ("3600 /h", 1.0, "/s"),
    ("3600 /hour", 1.0, "/s"),
    ("86,400 /day", 1.0, "/s"),
    ("86400 per day", 1.0, "/s"),
    ("86400/d", 1.0, "/s"),
    ("1M requests/day", 1e6 / DAY, "/s"),
    ("1M requests per day", 1e6 / DAY, "/s"),
    ("1 /month", 1 / MONTH, "/s"),
    ("1 /year", 1 / YEAR, "/s"),
    ("1/yr", 1 / YEAR, "/s"),
    ("1.2M /s", 1.2e6, "/s"),
    ("2b requests/day", 2e9 / DAY, "/s"),
    ("5m/day", 5e6 / DAY, "/s"),  # a time over a time is no unit: m is million here
    # bandwidth
    ("125 MB/s", 1.25e8, "B/s"),
    ("125MB/s", 1.25e8, "B/s"),
    ("1 Gbps", 1.25e8, "B/s"),
    ("1 gbps", 1.25e8, "B/s"),
    ("1 Gb/s", 1.25e8, "B/s"),
    ("1 Gbit/s", 1.25e8, "B/s"),
    ("100 Mbps", 1.25e7, "B/s"),
    ("100 mbps", 1.25e7, "B/s"),
    ("100 Mbit/s", 1.25e7, "B/s"),
    ("1 Kbps", 125.0, "B/s"),
    ("1 kbps", 125.0, "B/s"),
    ("1 Tbps", 1.25e11, "B/s"),
    ("8 bps", 1.0, "B/s"),
    ("1 MBps", 1e6, "B/s"),
    ("1 GB/day", 1e9 / DAY, "B/s"),
    ("3TB/yr", 3e12 / 31_536_000, "B/s"),
    ("3 TB/month", 3e12 / MONTH, "B/s"),
    ("5 KB per second", 5000.0, "B/s"),
    # count nouns
    ("500M users", 5e8, ""),
    ("5m users", 5e6, ""),
    ("3 million users", 3e6, ""),
    ("200 servers", 200.0, ""),
    ("10 records", 10.0, ""),
    ("2 KB per user", 2000.0, "B"),
    ("500 B/record", 500.0, "B"),
    ("6B users", 6e9, ""),
    # canonical unit strings read back
    ("3 B*s", 3.0, "B*s"),
    ("3 s^2", 3.0, "s^2"),
    ("3 /B", 3.0, "/B"),
    ("3 B/s^2", 3.0, "B/s^2"),
    ("3 /B/s", 3.0, "/B/s"),
]


@pytest.mark.parametrize(("text", "value", "unit"), ACCEPTED)
def test_parse_accepts(text, value, unit):
    q = parse(text)
    assert q.unit == unit
    assert q.value == pytest.approx(value, rel=1e-9, abs=1e-300)


def test_table_is_large():
    assert len(ACCEPTED) >= 80


def test_equivalences():
    assert parse("1 Gbps") == parse("125 MB/s")
    assert parse("1 Gbps").value == pytest.approx(1.25e8)
    assert parse("1 day") == parse("86,400 s")
    assert parse("86 400") == parse("86,400") == parse("86_400") == parse("86400")
    assert parse("1M requests/day").value == pytest.approx(11.574074, rel=1e-6)
    assert parse("3x10^12") == parse("3e12") == parse("3 trillion")
    assert parse("1 mb") == parse("1 MB") != parse("1 Mb")


# -- ambiguity resolved by `expect`


@pytest.mark.parametrize(
    ("text", "expect", "value", "unit"),
    [
        ("6B", None, 6.0, "B"),
        ("6B", "", 6e9, ""),
        ("6B", "B", 6.0, "B"),
        ("6 B", "", 6e9, ""),
        ("6b", None, 0.75, "B"),
        ("6b", "", 6e9, ""),
        ("5m", None, 300.0, "s"),
        ("5m", "", 5e6, ""),
        ("5m", "s", 300.0, "s"),
        ("5 ms", "", 0.005, "s"),  # no count reading: the hint does not force one
        ("6 GB", "", 6e9, "B"),
        ("1.5 mb", "", 1.5e6, "B"),
        ("5m/day", "/s", 5e6 / DAY, "/s"),
        ("3 TB", "MB", 3e12, "B"),  # any unit text works as a hint
        ("40", "/s", 40.0, ""),  # a hint never rejects
    ],
)
def test_expect_resolves_ambiguity(text, expect, value, unit):
    q = parse(text, expect=expect)
    assert (q.value, q.unit) == (pytest.approx(value, rel=1e-9), unit)


def test_numbers_are_counts():
    assert parse(5) == Quantity(5.0, "")
    assert parse(2.5) == Quantity(2.5, "")


# -- refused input

REJECTED = [
    ("", "empty text"),
    ("   ", "empty text"),
    ("~", "empty text"),
    ("1,5", "use a dot for decimals"),
    ("3,14 MB", "use a dot for decimals"),
    ("1.500,5", "use a dot for decimals"),
    ("12,34,567", "3 digits"),
    ("1000,000", "3 digits"),
    ("1 2", "3 digits"),
    ("1,000 000", "mixes digit separators"),
    ("3 parsecs", "unknown unit 'parsecs'"),
    ("5 Bogus", "unknown unit 'Bogus'"),
    ("5 furlongs/fortnight", "unknown unit 'furlongs'"),
    ("MB", "does not start with a number"),
    ("abc", "does not start with a number"),
    ("three", "does not start with a number"),
    ("1e999", "number too large"),
    ("10^400", "number too large"),
    ("5 /", "ends with an operator"),
    ("5 * MB", "cannot start with '*'"),
    ("5 MB//s", "two operators in a row"),
    ("3 TB TB", "unexpected 'TB' after 'TB'"),
    ("500 KB photos", "unexpected 'photos'"),
    ("5 min/day", "divides a time by a time"),
    ("5 mm", "unknown unit 'mm'"),
    ("3 t", "unknown unit 't'"),
    ("1/2", "unexpected '2'"),
    ("5 MB;", "unexpected ';'"),
    ("< 5", "does not start with a number"),
]


@pytest.mark.parametrize(("text", "fragment"), REJECTED)
def test_parse_rejects(text, fragment):
    with pytest.raises(QuantityError) as info:
        parse(text)
    message = str(info.value)
    assert fragment in message
    assert message.startswith(f"cannot read {text!r} as a quantity: ")
    assert "expected a number with an optional unit" in message


def test_rejection_message_example():
    with pytest.raises(QuantityError) as info:
        parse("3 parsecs")
    assert str(info.value) == (
        "cannot read '3 parsecs' as a quantity: unknown unit 'parsecs' "
        "(expected a number with an optional unit such as 3 TB, 1.2k QPS, 125 MB/s, 2 days)"
    )


def test_quantity_error_is_value_error():
    assert issubclass(QuantityError, ValueError)
    assert issubclass(DimensionError, QuantityError)
    with pytest.raises(TypeError):
        parse(None)  # type: ignore[arg-type]


# -- tolerances


@pytest.mark.parametrize(
    ("given", "expected"),
    [("20%", 0.2), (0.2, 0.2), ("0.2", 0.2), ("5 %", 0.05), (0, 0.0), (1, 1.0), ("~10%", 0.1)],
)
def test_parse_tolerance(given, expected):
    assert parse_tolerance(given) == pytest.approx(expected)


@pytest.mark.parametrize("given", ["-5%", -0.1, "abc", "3 MB", "", float("nan"), None, True])
def test_parse_tolerance_rejects(given):
    with pytest.raises(QuantityError):
        parse_tolerance(given)


# -- the Quantity class


def test_units_and_dimensions():
    assert parse("3").dimension == (0, 0)
    assert parse("3 TB").dimension == (1, 0)
    assert parse("3 s").dimension == (0, 1)
    assert parse("3 /s").dimension == (0, -1)
    assert parse("3 MB/s").dimension == (1, -1)
    assert [dimension_name(d) for d in [(0, 0), (1, 0), (0, 1), (0, -1), (1, -1)]] == [
        "count",
        "size (B)",
        "time (s)",
        "rate (/s)",
        "bandwidth (B/s)",
    ]
    assert dimension_name((1, 1)) == "unit B*s"
    assert parse("3 TB").dimension_name == "size (B)"
    assert parse("1 TB").same_dimension(parse("5 KiB"))
    assert not parse("1 TB").same_dimension(parse("5 s"))
    assert parse("3").same_dimension(7)


def test_constructor_checks_unit():
    assert Quantity(5, "B").value == 5.0 and isinstance(Quantity(5, "B").value, float)
    assert Quantity(2, "s*B").unit == "B*s"
    assert Quantity(1, "B/s") == parse("1 B/s")
    with pytest.raises(QuantityError, match="base-unit string"):
        Quantity(5, "MB")
    with pytest.raises(QuantityError, match="base-unit string"):
        Quantity(5, "parsecs")
    with pytest.raises(TypeError):
        Quantity("5", "B")  # type: ignore[arg-type]


def test_frozen_and_hashable():
    q = parse("3 TB")
    with pytest.raises(AttributeError):
        q.value = 1.0  # type: ignore[misc]
    assert {parse("3 TB"), parse("3,000 GB")} == {q}


@pytest.mark.parametrize(
    ("dim", "unit"),
    [
        ((0, 0), ""),
        ((1, 0), "B"),
        ((0, 1), "s"),
        ((0, -1), "/s"),
        ((1, -1), "B/s"),
        ((1, 1), "B*s"),
        ((-1, 0), "/B"),
        ((1, -2), "B/s^2"),
        ((0, 2), "s^2"),
        ((-1, 1), "s/B"),
        ((-1, -1), "/B/s"),
        ((2, 3), "B^2*s^3"),
    ],
)
def test_canonical_unit_strings(dim, unit):
    q = Quantity(1.0, "")
    b = Quantity(1.0, "B")
    s = Quantity(1.0, "s")
    for _ in range(abs(dim[0])):
        q = q * b if dim[0] > 0 else q / b
    for _ in range(abs(dim[1])):
        q = q * s if dim[1] > 0 else q / s
    assert q.unit == unit
    assert q.dimension == dim
    assert Quantity(2.0, unit).dimension == dim
    assert parse(f"2 {unit}") == Quantity(2.0, unit)


def test_arithmetic():
    bandwidth = parse("125 MB/s")
    assert bandwidth * parse("2 s") == Quantity(2.5e8, "B")
    assert parse("2 s") * bandwidth == Quantity(2.5e8, "B")
    assert parse("3 TB") / parse("1 day") == Quantity(3e12 / DAY, "B/s")
    assert parse("3 TB") / parse("3 KB") == Quantity(1e9, "")
    assert parse("3 TB") * 2 == Quantity(6e12, "B")
    assert 2 * parse("3 TB") == Quantity(6e12, "B")
    assert parse("3 TB") / 3 == Quantity(1e12, "B")
    assert 1 / parse("4 s") == Quantity(0.25, "/s")
    assert parse("1 TB") + parse("500 GB") == Quantity(1.5e12, "B")
    assert parse("1 TB") - parse("500 GB") == Quantity(5e11, "B")
    assert parse("3") + 2 == Quantity(5.0, "")
    assert 2 + parse("3") == Quantity(5.0, "")
    assert 10 - parse("3") == Quantity(7.0, "")
    assert -parse("3 TB") == Quantity(-3e12, "B")
    assert abs(parse("-3 s")) == parse("3 s")
    assert parse("3 s") ** 2 == Quantity(9.0, "s^2")
    assert parse("2 /s") ** -1 == Quantity(0.5, "s")
    assert parse("4") ** 0.5 == Quantity(2.0, "")
    assert parse("16 s^2") ** 0.5 == Quantity(4.0, "s")
    assert 2 ** parse("10") == Quantity(1024.0, "")
    assert parse("2") ** parse("3") == Quantity(8.0, "")
    assert float(parse("25%")) == 0.25
    with pytest.raises(ZeroDivisionError):
        parse("3 TB") / parse("0 s")


def test_dimension_errors():
    with pytest.raises(DimensionError) as info:
        parse("3 TB") + parse("40 /s")
    message = str(info.value)
    assert "a size (B) is not a rate (/s)" in message
    assert "3 TB" in message and "40 /s" in message
    with pytest.raises(DimensionError, match=r"a time \(s\) is not a count"):
        parse("3 s") - 1
    with pytest.raises(DimensionError, match=r"a bandwidth \(B/s\) is not a size \(B\)"):
        assert parse("1 MB/s") < parse("1 MB")
    with pytest.raises(DimensionError, match="unit B\\*s"):
        parse("1 B*s") + parse("1 B")
    with pytest.raises(DimensionError):
        parse("3 s") ** 0.5
    with pytest.raises(DimensionError):
        parse("3") ** parse("2 s")
    with pytest.raises(DimensionError):
        float(parse("3 s"))
    with pytest.raises(QuantityError, match="negative"):
        parse("-8") ** 0.5
    with pytest.raises(TypeError):
        parse("3 s") + "x"  # type: ignore[operator]


def test_comparisons():
    assert parse("1 GB") < parse("1 GiB") <= parse("1 GiB")
    assert parse("1 Gbps") > parse("100 MB/s") >= parse("100 MB/s")
    assert parse("25%") < 1
    assert sorted([parse("1 day"), parse("1 h"), parse("1 week")]) == [
        parse("1 h"),
        parse("1 day"),
        parse("1 week"),
    ]
    assert max(parse("3 TB"), parse("2 TiB")) == parse("3 TB")
    assert parse("3 TB") != parse("3 TB/s")


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("1 Gbps", "MB/s", 125.0),
        ("1 Gbps", "Mbps", 1000.0),
        ("1 day", "s", 86400.0),
        ("1 day", "h", 24.0),
        ("1 year", "days", 365.0),
        ("3 TB", "GB", 3000.0),
        ("1 GiB", "MiB", 1024.0),
        ("1 GB", "bits", 8e9),
        ("1M requests/day", "/s", 1e6 / DAY),
        ("40 QPS", "per day", 40 * DAY),
        ("40 QPS", "/min", 2400.0),
        ("3TB/yr", "GB/day", 3000 / 365),
        ("3 billion", "million", 3000.0),
        ("3 billion", "M", 3000.0),
        ("1.2k", "", 1200.0),
        ("25%", "%", 25.0),
        ("3 B*s", "B*s", 3.0),
    ],
)
def test_to(text, unit, expected):
    assert parse(text).to(unit) == pytest.approx(expected, rel=1e-9)


def test_to_errors():
    with pytest.raises(DimensionError, match=r"a size \(B\) is not a time \(s\)"):
        parse("3 TB").to("s")
    with pytest.raises(DimensionError, match=r"a rate \(/s\) is not a bandwidth \(B/s\)"):
        parse("40 QPS").to("MB/s")
    with pytest.raises(QuantityError, match="cannot read 'parsecs' as a unit"):
        parse("3 TB").to("parsecs")


def test_parse_unit():
    assert parse_unit("MB") == Quantity(1e6, "B")
    assert parse_unit("Gbps") == Quantity(1.25e8, "B/s")
    assert parse_unit("day") == Quantity(86400.0, "s")
    assert parse_unit("") == Quantity(1.0, "")
    assert parse_unit("million") == Quantity(1e6, "")


# -- format


@pytest.mark.parametrize(
    ("text", "formatted"),
    [
        ("0", "0"),
        ("42", "42"),
        ("86400", "86,400"),
        ("86432", "86,432"),
        ("1234.5678", "1,235"),
        ("12.3456", "12.3"),
        ("0.25", "0.25"),
        ("0.000123456", "0.000123"),
        ("-86400", "-86,400"),
        ("999999.9", "1 million"),
        ("1.2M", "1.2 million"),
        ("6e9", "6 billion"),
        ("6B users", "6 billion"),
        ("3e12", "3 trillion"),
        ("1.23456e15", "1.23e+15"),
        ("0 B", "0 B"),
        ("0.5 B", "0.5 B"),
        ("3 TB", "3 TB"),
        ("500 KB", "500 KB"),
        ("999.96 KB", "1 MB"),
        ("1 KiB", "1.02 KB"),
        ("1 Mb", "125 KB"),
        ("2 EB", "2 EB"),
        ("2000 EB", "2,000 EB"),
        ("125 MB/s", "125 MB/s"),
        ("1 Gbps", "125 MB/s"),
        ("200 KB/s", "200 KB/s"),
        ("1.25 GB/s", "1.25 GB/s"),
        ("3TB/yr", "95.1 KB/s"),
        ("0.5 ns", "0.5 ns"),
        ("3 us", "3 µs"),
        ("250 ms", "250 ms"),
        ("2.5 s", "2.5 s"),
        ("59.99 s", "1 min"),
        ("30 min", "30 min"),
        ("2 h", "2 h"),
        ("1 day", "1 day"),
        ("3 days", "3 days"),
        ("1 month", "30 days"),
        ("1 year", "1 year"),
        ("5 years", "5 years"),
        ("-2 s", "-2 s"),
        ("0 /s", "0 /s"),
        ("40 QPS", "40 /s"),
        ("1M requests/day", "11.6 /s"),
        ("0.5 /s", "0.5 /s"),
        ("1.2kQPS", "1.2K /s"),
        ("3.5M /s", "3.5M /s"),
        ("2G /s", "2G /s"),
        ("3 /min", "3 /min"),
        ("2 /h", "2 /h"),
        ("1 /day", "1 /day"),
        ("3 /year", "3 /year"),
        ("3 B*s", "3 B*s"),
        ("2 s^2", "2 s^2"),
    ],
)
def test_format(text, formatted):
    assert parse(text).format() == formatted
    assert str(parse(text)) == formatted


def test_format_digits():
    q = parse("1M requests/day")
    assert q.format(1) == "12 /s"  # integer digits are never dropped
    assert q.format(2) == "12 /s"
    assert q.format(5) == "11.574 /s"
    assert parse("86432").format(2) == "86,432"  # integer digits are never dropped
    assert parse("1.23456 TB").format(5) == "1.2346 TB"
    with pytest.raises(ValueError):
        q.format(0)


UNITS_FOR_ROUND_TRIP = ["", "B", "s", "/s", "B/s", "B*s", "/B", "s^2", "B/s^2", "/B/s"]


def test_format_round_trips():
    """parse(q.format(digits)) equals q to within the displayed precision, everywhere."""
    rng = random.Random(20240601)
    checked = 0
    for unit in UNITS_FOR_ROUND_TRIP:
        for _ in range(300):
            value = 10 ** rng.uniform(-12, 22) * rng.choice([1, 1, 1, -1])
            if rng.random() < 0.1:
                value = float(round(value))  # whole numbers, zero included
            q = Quantity(value, unit)
            for digits in (1, 2, 3, 4, 6):
                text = q.format(digits)
                back = parse(text)
                assert back.unit == unit, text
                tolerance = 0.5 * 10 ** (1 - digits) * abs(value) * (1 + 1e-9)
                assert abs(back.value - value) <= tolerance, (value, unit, digits, text)
                checked += 1
    assert checked == len(UNITS_FOR_ROUND_TRIP) * 300 * 5


# -- speed and imports


def test_parse_is_fast():
    texts = ["3 TB", "1.2k QPS", "1M requests/day", "86,400", "125 MB/s", "~2 days"]
    texts = [f"{t} " * 1 + " " * i for i in range(40) for t in texts]  # defeat the cache
    start = time.perf_counter()
    for text in texts:
        parse(text)
    per_parse = (time.perf_counter() - start) / len(texts)
    assert per_parse < 200e-6  # typically ~5 µs; generous for slow CI machines


def test_import_uses_only_the_standard_library():
    code = (
        "import sys, json; before = set(sys.modules); import drill.quantity; "
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    new = json.loads(out)
    outside = [
        name
        for name in new
        if name.split(".")[0] not in sys.stdlib_module_names and name.split(".")[0] != "drill"
    ]
    assert outside == []
    assert "drill.quantity" in new


def test_docstring_examples():
    import doctest

    import drill.quantity

    failures, tried = doctest.testmod(drill.quantity, verbose=False)
    assert tried >= 3 and failures == 0
    assert math.isclose(parse("1M requests/day").to("/s"), 11.574074074, rel_tol=1e-9)


def test_large_magnitude_words():
    assert parse("1.13 quadrillion") == Quantity(1.13e15, "")
    assert parse("2 quintillion") == Quantity(2e18, "")


@pytest.mark.parametrize(
    "text, value",
    [
        ("$0.0125", 0.0125),
        ("0.0125 USD", 0.0125),
        ("1.25 cents", 0.0125),
        ("$5k", 5000.0),
        ("~$3.5 million", 3.5e6),
        ("5 dollars", 5.0),
    ],
)
def test_money_reads_as_a_number_of_dollars(text, value):
    """The cost cards ask for USD as a number; typing the dollar sign or the currency is
    the same answer, not an unreadable one."""
    parsed = parse(text)
    assert parsed.unit == "" and parsed.value == pytest.approx(value)
