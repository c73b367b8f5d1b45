"""Grading typed answers: right within the tolerance, close within 2x, off within 10x,
wrong beyond, a different dimension named as such; bare numbers read in the answer's unit."""

from __future__ import annotations

import pytest

from drill.grading import grade, suggested_rating
from drill.quantity import parse


@pytest.mark.parametrize(
    ("answer", "typed", "verdict", "rating"),
    [
        ("86,400 s", "86400", "right", 3),
        ("86,400 s", "86,400 s", "right", 3),
        ("86,400 s", "100K s", "right", 3),  # the usual rounding, 16% high
        ("86,400 s", "1 day", "right", 3),
        ("86,400 s", "24 h", "right", 3),
        ("86,400 s", "50000", "close", 2),
        ("86,400 s", "2 days", "close", 2),
        ("86,400 s", "10 days", "off", 1),
        ("86,400 s", "1e6 s", "wrong", 1),
        ("86,400 s", "3 TB", "dimension", 1),
        ("86,400 s", "lots", "unreadable", 1),
        ("1.2k QPS", "1200", "right", 3),
        ("1.2k QPS", "1.2k", "right", 3),
        ("1.2k QPS", "1000 req/s", "right", 3),
        ("1.2k QPS", "1.2", "wrong", 1),
        ("1.2k QPS", "1.2 MB/s", "dimension", 1),
        ("3 TB", "3", "right", 3),
        ("3 TB", "3000 GB", "right", 3),
        ("3 TB", "2.9 TiB", "right", 3),  # 3.19 TB, 6% high
        ("3 TB", "3 PB", "wrong", 1),
        ("125 MB/s", "1 Gbps", "right", 3),
        ("125 MB/s", "1 GB/s", "off", 1),
        ("6 billion", "6B", "right", 3),  # a count is expected, so B is billion
        ("6 billion", "5e9", "right", 3),
        ("6 billion", "6 million", "wrong", 1),
        ("11.6 /s", "12 QPS", "right", 3),
        ("11.6 /s", "1M/day", "right", 3),
        ("99.9%", "0.999", "right", 3),
        ("99.9%", "99.9%", "right", 3),
        # High percentages are judged by what they leave out: 99.99% allows a tenth of the
        # downtime of 99.9%, so one for the other is off, not "0% low".
        ("99.99%", "99.9%", "off", 1),
        ("99.9999%", "50%", "wrong", 1),
        ("99.95%", "99.9%", "close", 2),
        ("99.9%", "100%", "wrong", 1),
        ("25%", "30%", "right", 3),  # low percentages: by ratio, as any number
    ],
)
def test_grading_table(answer, typed, verdict, rating):
    result = grade(typed, parse(answer), answer_text=answer)
    assert result.verdict == verdict, result.message
    assert result.suggested_rating == rating


def test_tolerance_is_the_card_s():
    expected = parse("1,024")
    assert grade("1000", expected, tolerance=0.01).verdict == "close"
    assert grade("1000", expected, tolerance=0.05).verdict == "right"
    assert grade("1024", expected, tolerance=0).verdict == "right"


def test_messages_say_how_far_and_in_the_answer_s_unit():
    result = grade("100K s", parse("86,400 s"), answer_text="86,400 s")
    assert result.message == "right: you said 100,000 s, 16% high"
    low = grade("20", parse("40 /s"), answer_text="40 /s")
    assert low.message == "close: you said 20 /s, 2.0x low"
    wrong_kind = grade("3 TB", parse("40 /s"), answer_text="40 /s")
    assert wrong_kind.message == (
        "wrong kind of quantity: you gave a size (3 TB), the answer is a rate"
    )


def test_several_answers_take_the_worst():
    e = parse("10 /s")
    grades = [grade("10", e), grade("15", e)]
    assert suggested_rating(grades) == 2
    assert suggested_rating([grade("10", e), grade("1", e)]) == 1
    assert suggested_rating([grade("10", e), grade("11", e)]) == 3


@pytest.mark.parametrize(
    ("answer", "typed", "message"),
    [
        # Below the answer, the gap is a share of the answer: 50,000 is 42% short of 86,400.
        ("86,400 s", "50000", "close: you said 50,000 s, 42% low"),
        ("3000", "1", "wrong: you said 1, 3,000x low"),
        ("64.8M", "1", "wrong: you said 1, 64.8 million times low"),
        ("86,400 s", "0", "wrong: you said 0 s"),  # not "0 ns"
        # A count that names what it counts is not a bare number in the answer's unit.
        (
            "86,400 s",
            "100k users",
            "wrong kind of quantity: you gave a count (100k users), the answer is a time",
        ),
    ],
)
def test_grading_messages_say_how_far_off_in_plain_numbers(answer, typed, message):
    assert grade(typed, parse(answer), 0.2, answer_text=answer).message == message
