"""`drill check`: every problem in a deck file is reported as `path:line: message`, all at once,
with exit 1 and no traceback."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    # Paths are reported relative to the working directory, as the user typed them.
    monkeypatch.chdir(tmp_path)


def check_lines(cli, *paths):
    result = cli("check", *paths)
    assert "Traceback" not in result.output
    return result, [line for line in result.stdout.splitlines() if line]


def test_clean_deck_prints_summary_and_exits_0(cli, write_deck):
    write_deck("""
        deck: Test
        cards:
          - {id: one, front: Q1, back: A1}
          - {id: two, kind: reverse, front: Q2, back: A2}
    """)
    result = cli("check", "deck.yaml")
    assert result.exit_code == 0
    assert result.stdout.strip() == "1 deck, 2 notes, 3 cards: ok"


def test_folders_are_searched_recursively(cli, write_deck):
    write_deck("deck: A\ncards: [{id: a, front: q, back: a}]\n", "decks/a.yaml")
    write_deck("deck: B\ncards: [{id: b, front: q, back: a}]\n", "decks/sub/b.yml")
    write_deck("not: a deck\n", "decks/.hidden/c.yaml")
    result = cli("check", "decks")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("2 decks, 2 notes, 2 cards")


def test_as_of_is_kept_per_card_and_defaults_to_the_files(write_deck):
    from drill.content import load

    path = write_deck("""
        deck: Test
        as_of: 2026-03
        cards:
          - {id: one, front: Q1, back: A1}
          - {id: two, front: Q2, back: A2, as_of: 2025-11-30}
    """)
    cards = {c.id: c for c in load([path]).cards}
    assert (cards["one"].as_of, cards["two"].as_of) == ("2026-03", "2025-11-30")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "deck: T\ncards:\n  - id: a\n    front: [unclosed\n",
            "deck.yaml:5: YAML syntax error",
            id="yaml-syntax",
        ),
        pytest.param(
            "deck: T\ncards:\n\t- {id: a, front: Q, back: A}\n",
            "; a tab: YAML indents with spaces",
            id="tab-indent",
        ),
        pytest.param(
            "deck: T\ncards:\n  - id: a\n    frnt: Q\n    back: A\n",
            "deck.yaml:4: unknown key 'frnt' for a basic card (did you mean 'front'?)",
            id="unknown-card-key",
        ),
        pytest.param(
            "deck: T\ncrads:\n  - {id: a, front: Q, back: A}\n",
            "deck.yaml:2: unknown key 'crads' (did you mean 'cards'?)",
            id="unknown-deck-key",
        ),
        pytest.param(
            "deck: T\ncards:\n  - id: a\n    front: Q\n",
            "deck.yaml:3: basic card 'a' is missing `back:`",
            id="missing-field",
        ),
        pytest.param(
            "deck: T\ncards:\n  - front: Q\n    back: A\n",
            "deck.yaml:3: missing `id:`",
            id="missing-id",
        ),
        pytest.param(
            "deck: T\ncards:\n  - id: a\n    kind: clozed\n    text: x\n",
            "deck.yaml:4: unknown kind 'clozed' (did you mean 'cloze'?)",
            id="unknown-kind",
        ),
        pytest.param(
            "deck: T\ncards:\n  - {id: Bad Id, front: Q, back: A}\n",
            "deck.yaml:3: id 'Bad Id' is not slug-like",
            id="id-not-slug",
        ),
        pytest.param(
            "deck: T\ncards:\n  - {id: a/b, front: Q, back: A}\n",
            "deck.yaml:3: id 'a/b' is not slug-like",
            id="id-with-slash",
        ),
        pytest.param(
            "deck: T\ncards:\n  - id: c\n    kind: cloze\n    text: no deletion here\n",
            "deck.yaml:5: cloze text needs at least one deletion",
            id="cloze-without-deletion",
        ),
        pytest.param(
            "deck: T\ncards:\n  - id: c\n    kind: cloze\n    text: '{{c1::ok}} and {{c2::open'\n",
            "deck.yaml:5: unclosed or malformed cloze",
            id="cloze-unclosed",
        ),
        pytest.param(
            "deck: T\ncards:\n  - id: n\n    kind: number\n    front: Q\n    answer: lots\n",
            "deck.yaml:6: `answer`: cannot read 'lots'",
            id="number-answer-unreadable",
        ),
        pytest.param(
            "deck: T\ncards:\n  - id: n\n    kind: number\n    front: Q\n    answer: 3 TB\n"
            "    tolerance: plenty\n",
            "deck.yaml:7: `tolerance`:",
            id="number-tolerance-unreadable",
        ),
        pytest.param(
            "deck: T\ncards:\n  - {id: a, front: Q, back: A, as_of: 2026-13}\n",
            "deck.yaml:3: `as_of` '2026-13' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD",
            id="as-of-not-a-date",
        ),
        pytest.param(
            "deck: T\nas_of: soon\ncards:\n  - {id: a, front: Q, back: A}\n",
            "deck.yaml:2: `as_of` 'soon' is not a date",
            id="file-as-of-not-a-date",
        ),
        pytest.param("deck: T\ncards: []\n", "deck.yaml:2: empty deck", id="empty-deck"),
        pytest.param("deck: T\ncards:\n", "deck.yaml:2: empty deck", id="empty-deck-null"),
        pytest.param(
            "- just\n- a list\n", "deck.yaml:1: a deck file must be a mapping", id="not-a-mapping"
        ),
        pytest.param("", "deck.yaml:1: empty file", id="empty-file"),
        pytest.param(
            "cards:\n  - {id: a, front: Q, back: A}\n",
            "deck.yaml:1: missing `deck:`",
            id="missing-deck-name",
        ),
        pytest.param("deck: T\n", "deck.yaml:1: missing `cards:`", id="missing-cards"),
        pytest.param(
            "deck: T\ncards:\n  - id: a\n    front: Q\n    front: Q2\n    back: A\n",
            "deck.yaml:5: duplicate key 'front' (first at line 4)",
            id="duplicate-key",
        ),
        pytest.param(
            "deck: T\ncards:\n  - {id: a, front: Q, back: A}\n---\ndeck: U\n",
            "deck.yaml:4: one deck per file",
            id="two-documents",
        ),
        pytest.param(
            "deck: T\ncards:\n  - {id: a, front: Q, back: A, suspended: maybe}\n",
            "deck.yaml:3: `suspended` must be true or false",
            id="suspended-not-bool",
        ),
        pytest.param(
            "deck: T\ncards:\n  - {id: a, front: Q, back: A, tags: [two words]}\n",
            "deck.yaml:3: tag 'two words' contains a space",
            id="tag-with-space",
        ),
        pytest.param(
            "deck: T\ncards:\n  - {id: a, front: Q, back: A, dimension: X}\n",
            "'dimension' belongs to requirement cards",
            id="field-of-another-kind",
        ),
        pytest.param(
            "deck: T\ncards:\n  - {id: a, front: '', back: A}\n",
            "deck.yaml:3: `front` is empty",
            id="empty-field",
        ),
        pytest.param(
            "deck: T\ncards:\n  - id: t\n    kind: tradeoff\n    decision: D\n    pros: []\n"
            "    cons: [c]\n",
            "deck.yaml:6: `pros` is an empty list",
            id="empty-list",
        ),
        pytest.param(
            "deck: 'A::::B'\ncards:\n  - {id: a, front: Q, back: A}\n",
            "deck.yaml:1: deck name 'A::::B' has an empty part",
            id="deck-empty-part",
        ),
        pytest.param(
            "deck: T\ncards:\n  - just text\n",
            "deck.yaml:3: a card must be a mapping",
            id="card-not-mapping",
        ),
        pytest.param(
            "deck: T\nid: a\ncards:\n  - {id: b, front: Q, back: A}\n",
            "deck.yaml:2: unknown key 'id' (card fields go under `cards:`",
            id="card-field-at-top-level",
        ),
    ],
)
def test_each_problem_is_reported_with_path_and_line(cli, write_deck, text, expected):
    write_deck(text)
    result, lines = check_lines(cli, "deck.yaml")
    assert result.exit_code == 1
    assert any(line.startswith(expected) or expected in line for line in lines), lines
    for line in lines:
        assert line.startswith("deck.yaml:"), line


def test_duplicate_ids_name_both_places(cli, write_deck):
    write_deck("deck: A\ncards:\n  - {id: same, front: Q, back: A}\n", "a.yaml")
    write_deck(
        "deck: B\ncards:\n  - {id: x, front: Q, back: A}\n  - {id: same, front: Q, back: A}\n",
        "b.yaml",
    )
    result, lines = check_lines(cli, "a.yaml", "b.yaml")
    assert result.exit_code == 1
    assert lines == ["b.yaml:4: duplicate id 'same' (also at a.yaml:3)"]


def test_every_problem_is_reported_at_once(cli, write_deck):
    write_deck("""
        deck: T
        cards:
          - id: ok
            front: Q
            back: A
          - id: Bad
            front: Q
            back: A
          - id: c
            kind: cloze
            text: nothing to hide
          - id: n
            kind: number
            front: Q
            answer: a lot
    """)
    result, lines = check_lines(cli, "deck.yaml")
    assert result.exit_code == 1
    assert [line.split(":")[1] for line in lines] == ["6", "11", "15"]
    assert "3 problems in 1 file" in result.stderr


def test_missing_path_is_an_error(cli):
    result, lines = check_lines(cli, "nowhere.yaml")
    assert result.exit_code == 1
    assert lines[0].startswith("nowhere.yaml:0: no such file or folder")


def test_not_utf8_is_an_error(cli, tmp_path):
    (tmp_path / "deck.yaml").write_bytes(b"deck: T\ncards:\n  - {id: a, front: \xff, back: A}\n")
    result, lines = check_lines(cli, "deck.yaml")
    assert result.exit_code == 1
    assert lines[0].startswith("deck.yaml:1: not UTF-8 text")


def test_check_does_not_modify_files(cli, write_deck):
    path = write_deck("deck: T\ncards:\n  - {id: Bad, front: Q}\n")
    before = path.read_bytes()
    cli("check", "deck.yaml")
    assert path.read_bytes() == before


def test_yaml_scalars_stay_text(write_deck):
    """`yes`, numbers and dates in text fields are kept as the author typed them."""
    from drill.content import load

    path = write_deck("""
        deck: T
        cards:
          - {id: a, front: yes, back: 1e3}
          - {id: b, front: 2024-01-01, back: 'on'}
    """)
    collection = load([path])
    assert not collection.problems
    assert [(c.front, c.back) for c in collection.cards] == [("yes", "1e3"), ("2024-01-01", "on")]


def test_unsafe_yaml_tags_are_refused(write_deck):
    from drill.content import load

    path = write_deck(
        "deck: T\ncards:\n  - {id: a, front: !!python/object/apply:os.system [ls], back: A}\n"
    )
    collection = load([path])
    assert not collection.cards
    assert [str(p) for p in collection.problems] == [
        "deck.yaml:3: `front`: expected text, found a list"
    ]
