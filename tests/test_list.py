"""`drill list`: one line per card, or every field as JSON; filters by deck, kind and tag."""

from __future__ import annotations

import json

import pytest

DECK = """
deck: Parent::Child
tags: [file-tag]
source: The guide
cards:
  - id: b1
    front: What is 2 + 2?
    back: "4"
    tags: [math]
  - id: r1
    kind: reverse
    front: ping
    back: pong
    source: Somewhere else
  - id: c1
    kind: cloze
    text: "{{c1::Paris}} is the capital of {{c2::France::a country}}."
  - id: n1
    kind: number
    front: Seconds in a day?
    answer: 86,400 s
    note: Round to 100K.
  - id: q1
    kind: requirement
    dimension: Scale
    question: How many users?
    why: Sizes everything.
  - id: t1
    kind: tradeoff
    decision: Use SQL
    pros: [Joins, Transactions]
    cons: Harder to shard
    accepted_because: Data is relational.
  - id: p1
    kind: pitfall
    pitfall: Skipping requirements
    fix: Ask first.
    suspended: true
  - id: x1
    kind: prompt
    prompt: Design a chat app.
    challenges: [Ordering, Presence]
    deep_dives: [Fan-out]
"""


@pytest.fixture
def deck(write_deck, tmp_path):
    write_deck(DECK)
    write_deck("deck: Parenthood\ncards:\n  - {id: other, front: Q, back: A}\n", "other.yaml")
    return tmp_path


def cards_json(cli, *args):
    result = cli("list", *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_json_has_every_card_with_its_fields(cli, deck):
    cards = cards_json(cli, deck / "deck.yaml")
    assert [c["id"] for c in cards] == [
        "b1",
        "r1",
        "r1/reverse",
        "c1/c1",
        "c1/c2",
        "n1",
        "q1",
        "q1/why",
        "t1/pros",
        "t1/cons",
        "t1/why",
        "p1",
        "x1/challenges",
        "x1/deep-dives",
    ]
    by_id = {c["id"]: c for c in cards}
    assert by_id["r1/reverse"]["front"] == "pong" and by_id["r1/reverse"]["back"] == "ping"
    assert by_id["r1"]["source"] == "Somewhere else"
    assert by_id["b1"]["source"] == "The guide"
    assert by_id["b1"]["tags"] == ["file-tag", "math"]
    assert by_id["c1/c2"]["front"] == "Paris is the capital of [a country]."
    assert by_id["c1/c1"]["back"] == "**Paris** is the capital of France."
    number = by_id["n1"]
    assert number["answer"] == {"value": 86400, "unit": "s", "text": "86,400 s"}
    assert number["tolerance"] == 0.25 and number["note"] == "Round to 100K."
    assert by_id["t1/pros"]["fields"]["pros"] == ["Joins", "Transactions"]
    assert by_id["t1/cons"]["fields"]["cons"] == ["Harder to shard"]
    assert "(2 items)" in by_id["x1/challenges"]["front"]
    assert by_id["p1"]["suspended"] is True and by_id["b1"]["suspended"] is False
    assert by_id["q1"]["path"].endswith("deck.yaml") and by_id["q1"]["line"] == 22
    assert by_id["q1"]["deck"] == "Parent::Child" and by_id["q1"]["note_id"] == "q1"


def test_deck_filter_includes_children_not_prefixes(cli, deck):
    ids = {c["id"] for c in cards_json(cli, deck, "--deck", "parent")}
    assert "b1" in ids and "other" not in ids
    assert {c["id"] for c in cards_json(cli, deck, "--deck", "Parenthood")} == {"other"}


def test_kind_and_tag_filters(cli, deck):
    assert {c["id"] for c in cards_json(cli, deck, "--kind", "cloze")} == {"c1/c1", "c1/c2"}
    assert {c["id"] for c in cards_json(cli, deck, "--tag", "math")} == {"b1"}


def test_unknown_kind_is_a_usage_error(cli, deck):
    result = cli("list", deck, "--kind", "flashcard")
    assert result.exit_code == 2
    assert "unknown kind 'flashcard'" in result.stderr


def test_text_output_one_line_per_card(cli, deck):
    result = cli("list", deck / "deck.yaml")
    lines = result.stdout.splitlines()
    assert len(lines) == 14
    assert lines[0].split()[:3] == ["b1", "Parent::Child", "basic"]
    assert lines[0].endswith("What is 2 + 2?")


def test_list_skips_a_broken_deck_file_with_path_and_line(cli, write_deck, tmp_path):
    """A read-only command keeps working: the broken file is a warning and is left out
    whole, the rest is listed."""
    write_deck("deck: T\ncards:\n  - {id: a, front: Q}\n  - {id: b, front: Q2, back: A}\n")
    write_deck("deck: U\ncards:\n  - {id: u, front: Q3, back: A3}\n", "other.yaml")
    result = cli("list", tmp_path / "deck.yaml", tmp_path / "other.yaml")
    assert result.exit_code == 0
    assert "deck.yaml:3: basic card 'a' is missing `back:`" in result.stderr
    assert [line.split()[0] for line in result.stdout.splitlines()] == ["u"]


def test_problems_are_listed_as_problem_cards(cli, write_deck, tmp_path):
    write_deck(
        """
        deck: Est
        problems:
          - id: qps
            title: Requests per day to QPS
            params: {per_day: {default: 1M, range: [100K, 100M]}}
            question: "{per_day} requests a day."
            answers: {average: {formula: per_day / day, unit: /s, prompt: "QPS?"}}
    """,
        "est.yaml",
    )
    rows = cards_json(cli, tmp_path / "est.yaml", "--kind", "problem")
    assert [(r["id"], r["kind"], r["front"]) for r in rows] == [
        ("qps", "problem", "Requests per day to QPS")
    ]
    assert rows[0]["fields"]["question"] == "{per_day} requests a day."
    result = cli("build", tmp_path / "est.yaml", "--kind", "problem", "--out", tmp_path / "b")
    assert result.exit_code == 2 and "add --problems N" in result.stderr
