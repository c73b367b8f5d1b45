"""Content lints (`drill check --lint`): each rule, on a small deck that breaks it and one that
keeps it, through the real CLI. Warnings are `path:line: warning: message [rule]` and never
change the exit code."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def lint(cli, write_deck, cards: str, deck: str = "Test", *extra: str) -> list[str]:
    """The warnings `drill check --lint` prints for a deck of these cards (YAML, indented
    as list items under `cards:`)."""
    write_deck(f"deck: {deck}\nsource: A test source\ncards:\n{cards}")
    result = cli("check", "--lint", "deck.yaml", *extra)
    assert result.exit_code == 0, result.output
    assert "Traceback" not in result.output
    return [line for line in result.stdout.splitlines() if ": warning: " in line]


def rules(warnings: list[str]) -> list[str]:
    return [w.rsplit("[", 1)[1].rstrip("]") for w in warnings]


# --------------------------------------------------------------------------- list-too-long


@pytest.mark.parametrize(
    "cards",
    [
        pytest.param(
            "  - id: t\n    kind: tradeoff\n    decision: Use a cache\n"
            "    pros: [Fast reads, Fewer database reads, Lower cost, Absorbs spikes]\n"
            "    cons: [Stale reads]\n",
            id="tradeoff-pros",
        ),
        pytest.param(
            "  - id: p\n    kind: prompt\n    prompt: Design a chat service.\n"
            "    challenges: [Ordering, Offline users, Presence, Group fan-out, Storage]\n",
            id="prompt-challenges",
        ),
        pytest.param(
            "  - id: b\n    front: What does a CDN cache?\n"
            "    back: |\n      - Images\n      - Scripts\n      - Styles\n      - Video\n",
            id="basic-bullets",
        ),
        pytest.param(
            "  - id: b\n    front: What are the five stages of the pipeline?\n"
            "    back: Ingest, parse, enrich, store and serve.\n",
            id="question-asks-for-five",
        ),
        pytest.param(
            "  - id: c\n    kind: cloze\n    text: >-\n"
            "      The four golden signals: {{c1::latency}}, {{c2::traffic}}, {{c3::errors}}"
            " and\n      {{c4::saturation}}.\n",
            id="cloze-set",
        ),
    ],
)
def test_list_too_long_flags_sets_of_more_than_three(cli, write_deck, cards):
    warnings = lint(cli, write_deck, cards)
    assert rules(warnings) == ["list-too-long"], warnings
    assert warnings[0].startswith("deck.yaml:4: warning: ")


@pytest.mark.parametrize(
    "cards",
    [
        pytest.param(
            "  - id: t\n    kind: tradeoff\n    decision: Use a cache\n"
            "    pros: [Fast reads, Fewer database queries, Absorbs spikes]\n"
            "    cons: [Stale reads]\n",
            id="three-pros",
        ),
        pytest.param(
            "  - id: b\n    front: In order, what are the four steps of the flow?\n"
            "    back: |\n      1. Redirect\n      2. Sign in\n      3. Swap the code\n"
            "      4. Call the API\n",
            id="numbered-sequence",
        ),
        pytest.param(
            "  - id: c\n    kind: cloze\n    text: >-\n"
            "      A write is {{c1::logged}} → {{c2::put in the memtable}} → {{c3::flushed}}"
            " →\n      {{c4::compacted}}.\n",
            id="cloze-steps",
        ),
    ],
)
def test_list_too_long_allows_short_sets_and_sequences(cli, write_deck, cards):
    assert lint(cli, write_deck, cards) == []


def test_warning_names_the_card_and_the_count(cli, write_deck):
    warnings = lint(
        cli,
        write_deck,
        "  - id: t\n    kind: tradeoff\n    decision: Use a cache\n"
        "    pros: [Fast reads, Fewer database reads, Lower cost, Absorbs spikes]\n"
        "    cons: [Stale reads]\n",
    )
    assert warnings == [
        "deck.yaml:4: warning: 't/pros' asks for a set of 4 items (at most 3): split it, or "
        "ask for the few that matter [list-too-long]"
    ]


# --------------------------------------------------------------------------- answer-in-question


@pytest.mark.parametrize(
    ("cards", "shown"),
    [
        pytest.param(
            "  - id: t\n    kind: tradeoff\n"
            "    decision: Random short codes, checked for collisions on every write\n"
            "    pros: [Servers need no coordination]\n"
            "    cons: [Every write is checked for collisions]\n",
            "'t/cons' shows answer item 'Every write is checked for collisions' in its question "
            "(words 'check', 'collision', 'writ')",
            id="decision-gives-the-con",
        ),
        pytest.param(
            "  - id: n\n    kind: number\n"
            "    front: A sale must reach 10 million users once each. How many messages?\n"
            "    answer: 10 million\n",
            "'n' shows its answer in the question ('10 million users')",
            id="number-in-question",
        ),
        pytest.param(
            "  - id: c\n    kind: cloze\n    text: >-\n"
            "      {{c1::Event time}} is when an event happened; {{c2::processing time}} is"
            " when\n      the pipeline sees it.\n",
            "'c/c1' shows 'Event time' in its question (words 'event', 'time')",
            id="cloze-words-shown",
        ),
    ],
)
def test_answer_in_question_flags_give_aways(cli, write_deck, cards, shown):
    warnings = lint(cli, write_deck, cards)
    assert warnings == [f"deck.yaml:4: warning: {shown} [answer-in-question]"]


@pytest.mark.parametrize(
    "cards",
    [
        pytest.param(
            "  - id: t\n    kind: tradeoff\n    decision: Random short codes\n"
            "    pros: [Servers need no coordination]\n"
            "    cons: [Two links can draw the same code, so every write needs a check]\n",
            id="con-adds-what-the-decision-does-not-say",
        ),
        pytest.param(
            "  - id: n\n    kind: number\n    front: A 10 Gbps link carries how many bytes a"
            " second?\n    answer: 1.25 GB/s\n",
            id="conversion",
        ),
        pytest.param(
            "  - id: n\n    kind: number\n    front: What is the fewest base62 characters for"
            " 6 billion codes?\n    answer: 6\n",
            id="same-digits-other-quantity",
        ),
        pytest.param(
            "  - id: b\n    front: What does a write-through cache do on a write?\n"
            "    back: It writes to the cache and the database before acknowledging.\n",
            id="topic-words-repeat",
        ),
        pytest.param(
            "  - id: c\n    kind: cloze\n    text: >-\n"
            "      With N replicas, W writes and R reads, {{c1::R + W > N}} makes the sets"
            " overlap.\n",
            id="cloze-formula",
        ),
    ],
)
def test_answer_in_question_leaves_fair_cards_alone(cli, write_deck, cards):
    assert lint(cli, write_deck, cards) == []


# --------------------------------------------------------------------------- near-duplicate


def test_near_duplicate_across_decks_reports_both_places(cli, write_deck):
    write_deck(
        "deck: A\nsource: s\ncards:\n"
        "  - id: a\n    front: Why Aurora rather than DynamoDB for the URL shortener?\n"
        "    back: Joins and transactions.\n",
        "decks/a.yaml",
    )
    write_deck(
        "deck: B\nsource: s\ncards:\n"
        "  - id: b\n    kind: tradeoff\n"
        "    decision: Aurora rather than DynamoDB for the URL shortener\n"
        "    pros: [Joins]\n    cons: [Sharding is manual]\n",
        "decks/b.yaml",
    )
    result = cli("check", "--lint", "decks")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "decks/b.yaml:4: warning: 'b/pros' asks what 'a' asks (at decks/a.yaml:4): merge "
        "them, or make each question name what sets it apart [near-duplicate]"
    )
    assert rules(result.stdout.splitlines()[:-1]) == ["near-duplicate"]


def test_questions_of_one_template_are_not_duplicates(cli, write_deck):
    cards = "".join(
        f"  - id: d{period}\n    kind: number\n"
        f"    front: At 99.9% availability, how much downtime is allowed per {period}?\n"
        f"    answer: {answer}\n"
        for period, answer in [("day", "86 s"), ("month", "43 min"), ("year", "8.8 h")]
    )
    assert lint(cli, write_deck, cards) == []


def test_cards_of_one_note_are_not_duplicates(cli, write_deck):
    cards = (
        "  - id: t\n    kind: tradeoff\n    decision: Use a cache\n"
        "    pros: [Fast reads]\n    cons: [Stale reads]\n"
    )
    assert lint(cli, write_deck, cards) == []


# --------------------------------------------------------------------------- sources and dates


def test_number_without_a_source(cli, write_deck):
    write_deck(
        "deck: T\ncards:\n"
        "  - {id: n, kind: number, front: How many seconds are in a minute?, answer: 60 s}\n"
        "  - {id: m, kind: number, front: How many minutes in an hour?, answer: 60,"
        " source: Arithmetic}\n"
    )
    result = cli("check", "--lint", "deck.yaml")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[0] == (
        "deck.yaml:3: warning: number card 'n' has no `source` [number-no-source]"
    )
    assert len(result.stdout.splitlines()) == 2  # the warning, then the summary


def test_measured_number_without_as_of_warns_without_lint(cli, write_deck):
    write_deck(
        "deck: Numbers::Latency\nsource: napkin-math\ncards:\n"
        "  - {id: rtt, kind: number, front: How long is a round trip in one zone?,"
        " answer: 0.5 ms}\n"
        "  - {id: ssd, kind: number, front: How long is an SSD random read?, answer: 100 us,"
        " as_of: 2026-03}\n"
        "  - {id: link, kind: number, front: How long does 1 GB take at 1 Gbps?, answer: 8 s,"
        " formula: GB / (1e9 * bit / s)}\n"
    )
    result = cli("check", "deck.yaml")
    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "deck.yaml:4: warning: number card 'rtt' in Numbers::Latency is a measured figure "
        "with no `as_of` (when it was last checked) [number-no-as-of]",
        "1 deck, 3 notes, 3 cards: ok (1 warning)",
    ]


def test_a_file_as_of_dates_every_card(cli, write_deck):
    write_deck(
        "deck: Numbers::Cost\nsource: AWS pricing\nas_of: 2026-11\ncards:\n"
        "  - {id: s3, kind: number, front: What does S3 cost per GB-month?, answer: 0.023}\n"
    )
    result = cli("check", "deck.yaml")
    assert result.stdout.strip() == "1 deck, 1 note, 1 card: ok"


def test_other_decks_need_no_as_of(cli, write_deck):
    """A latency figure in a deck about something else (SLOs and Latency) is not a measured
    table; nor is a number card of any other deck."""
    write_deck(
        "deck: System Design::SLOs and Latency\nsource: The Tail at Scale\ncards:\n"
        "  - {id: tail, kind: number, front: What was the p99 of the whole fan-out?,"
        " answer: 140 ms}\n"
    )
    result = cli("check", "deck.yaml")
    assert result.stdout.strip() == "1 deck, 1 note, 1 card: ok"


# --------------------------------------------------------------------------- cloze-answer-visible


def test_cloze_whose_hidden_text_the_note_shows(cli, write_deck):
    warnings = lint(
        cli,
        write_deck,
        "  - id: c\n    kind: cloze\n    text: >-\n"
        "      Scores below {{c1::0.3}} are allowed; scores between 0.3 and {{c2::0.7}} are"
        " reviewed.\n    note: Above 0.7 the payment is blocked.\n",
    )
    assert warnings == [
        "deck.yaml:4: warning: 'c/c1' hides '0.3', which the note shows elsewhere "
        "[cloze-answer-visible]",
        "deck.yaml:4: warning: 'c/c2' hides '0.7', which the note shows elsewhere "
        "[cloze-answer-visible]",
    ]


def test_cloze_with_each_hidden_text_once(cli, write_deck):
    cards = (
        "  - id: c\n    kind: cloze\n    text: >-\n"
        "      Scores below {{c1::0.3}} are allowed; scores above {{c2::0.7}} are blocked.\n"
        "    note: The middle band goes to an analyst.\n"
    )
    assert lint(cli, write_deck, cards) == []


# --------------------------------------------------------------------------- bare-question


@pytest.mark.parametrize(
    ("cards", "expected"),
    [
        pytest.param(
            "  - {id: b, front: Caching, back: Cache-aside and write-through}\n",
            "'b' asks nothing: 'Caching' is not a question; say what is asked",
            id="basic",
        ),
        pytest.param(
            "  - id: r\n    kind: reverse\n    front: Resilience\n"
            '    back: "Key patterns: retries, circuit breakers, bulkheads"\n',
            "'r' asks with a bare 'Resilience' and its answer says what is asked ('Key "
            "patterns: retries, circuit breakers…'): make it a basic card whose question asks "
            "that",
            id="reverse-with-labelled-back",
        ),
    ],
)
def test_bare_question(cli, write_deck, cards, expected):
    assert lint(cli, write_deck, cards) == [f"deck.yaml:4: warning: {expected} [bare-question]"]


@pytest.mark.parametrize(
    "cards",
    [
        pytest.param(
            "  - {id: b, front: Which pattern fills the cache on a miss?, back: Cache-aside}\n"
        ),
        pytest.param("  - {id: b, front: Name two cache write policies., back: Through; back}\n"),
        pytest.param(
            "  - {id: b, front: 'Apart from LRU, name one eviction policy.', back: LFU}\n"
        ),
        pytest.param("  - {id: b, front: '2^10 =', back: '1,024'}\n"),
        pytest.param(
            "  - {id: r, kind: reverse, front: Inverted index,"
            " back: A map from each term to the documents that hold it}\n",
            id="reverse-term-and-definition",
        ),
    ],
)
def test_questions_and_prompts_are_not_bare(cli, write_deck, cards):
    assert lint(cli, write_deck, cards) == []


# --------------------------------------------------------------------------- the command


def test_warnings_need_lint_and_never_fail(cli, write_deck):
    write_deck("deck: T\ncards:\n  - {id: b, front: Caching, back: A pattern}\n")
    plain = cli("check", "deck.yaml")
    assert (plain.exit_code, plain.stdout.strip()) == (0, "1 deck, 1 note, 1 card: ok")
    linted = cli("check", "--lint", "deck.yaml")
    assert linted.exit_code == 0
    assert linted.stdout.splitlines()[-1] == "1 deck, 1 note, 1 card: ok (1 warning)"


def test_errors_still_fail_with_lint(cli, write_deck):
    write_deck(
        "deck: T\ncards:\n  - {id: b, front: Caching, back: A pattern}\n  - {id: c, front: What?}\n"
    )
    result = cli("check", "--lint", "deck.yaml")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "deck.yaml:4: basic card 'c' is missing `back:` (the answer)",
        "deck.yaml:3: warning: 'b' asks nothing: 'Caching' is not a question; say what is "
        "asked [bare-question]",
    ]
    assert "1 problem in 1 file (1 warning)" in result.stderr


def test_every_rule_is_a_pure_function_of_the_notes():
    from drill import lints
    from drill.model import Location, Note

    note = Note(
        "n",
        "number",
        "Numbers::Latency",
        {"front": "RTT?", "answer": "1 ms"},
        (),
        None,
        location=Location("x.yaml", 7),
    )
    found = lints.lint([note])
    assert sorted((p.rule, p.line) for p in found) == [
        ("number-no-as-of", 7),
        ("number-no-source", 7),
    ]
    assert set(lints.RULES) == {
        "list-too-long",
        "answer-in-question",
        "near-duplicate",
        "number-no-source",
        "cloze-answer-visible",
        "bare-question",
        "number-no-as-of",
        "media-missing",
    }
