"""The study session, in-process: what the terminal reviewer runs on (drill.services.study).
A real store and decks in a temporary folder, and a clock the test moves by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import private
from drill.scheduler import Rating
from drill.services.errors import NotFound
from drill.services.settings import Settings
from drill.services.study import Filters, StudySession
from drill.services.workspace import open_workspace

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

DECK = """\
deck: S
options:
  fuzz: false
cards:
  - {id: a, front: Question A, back: Answer A, source: The book, as_of: 2026-11}
  - {id: r, kind: reverse, front: ping, back: pong}
  - {id: n, kind: number, front: Seconds in a day?, answer: "86,400 s"}
"""


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "s.yaml").write_text(DECK, encoding="utf-8")
    return private.settings(tmp_path, tmp_path / "decks")


def session_at(settings, clock, **kwargs) -> tuple:
    ws = open_workspace(settings, clock())
    return ws, StudySession(ws, clock, **kwargs)


def test_next_answer_and_the_queue_in_anki_order(settings):
    clock = Clock(START)
    ws, session = session_at(settings, clock)
    with ws:
        prompt = session.next()
        assert prompt.card.id == "a" and prompt.card.source == "The book"
        assert prompt.card.as_of == "2026-11"
        assert set(prompt.outcomes) == set(Rating)
        assert session.counts() == (4, 0, 0)
        answered = session.answer(prompt, Rating.GOOD)
        assert answered.after.phase == "learning"
        # a is in its 10m step: the new cards come first, then a when its step is due.
        assert [session.next().card.id for _ in range(1)] == ["r"]
        assert session.counts() == (3, 1, 0)  # a's 10-minute step is within learn-ahead
        assert ws.store.state("a").reps == 1


def test_answering_buries_the_note_s_siblings_until_tomorrow_and_undo_brings_them_back(settings):
    clock = Clock(START)
    ws, session = session_at(settings, clock)
    with ws:
        session.skip("a")
        prompt = session.next()
        assert prompt.card.id == "r"
        answered = session.answer(prompt, Rating.EASY)
        assert answered.buried == ("r/reverse",)
        assert [c.id for c in session.new] == ["n"]
        assert ws.store.card("r/reverse").buried_until == datetime(2026, 12, 1, 4, 0, tzinfo=UTC)
        undone = session.undo()
        assert (undone.what, undone.card_id) == ("answer", "r")
        assert ws.store.card("r/reverse").buried_until is None
        assert session.next().card.id == "r"
        assert "r/reverse" in [c.id for c in session.new]


def test_bury_siblings_can_be_switched_off(settings, tmp_path):
    deck = tmp_path / "decks" / "s.yaml"
    deck.write_text(DECK.replace("fuzz: false", "fuzz: false\n  bury_siblings: false"))
    clock = Clock(START)
    ws, session = session_at(settings, clock)
    with ws:
        session.skip("a")
        assert session.answer(session.next(), Rating.EASY).buried == ()
        assert session.next().card.id == "r/reverse"


def test_undo_of_suspend_and_bury_restores_the_flags(settings):
    clock = Clock(START)
    ws, session = session_at(settings, clock)
    with ws:
        first = session.next().card
        session.suspend(first)
        assert ws.store.card("a").suspended and session.next().card.id == "r"
        second = session.next().card
        session.bury(second)
        assert ws.store.card("r").buried_until is not None
        assert session.undo().what == "bury" and ws.store.card("r").buried_until is None
        assert session.undo().what == "suspend" and not ws.store.card("a").suspended
        assert session.next().card.id == "a"
        assert session.undo() is None


def test_learning_cards_come_back_when_their_step_is_due(settings):
    clock = Clock(START)
    ws, session = session_at(settings, clock, filters=Filters(deck="S", kind="basic"))
    with ws:
        session.answer(session.next(), Rating.AGAIN)  # back in 1 minute
        assert session.next() is not None  # within the learn-ahead limit
        clock.now += timedelta(minutes=2)
        prompt = session.next()
        assert prompt.card.id == "a" and prompt.card.state.reps == 1
        session.answer(prompt, Rating.EASY)
        assert session.next() is None
        assert session.summary.answered == 2 and session.summary.again == 1


def test_cram_changes_no_schedule_and_again_comes_back_last(settings):
    clock = Clock(START)
    ws, session = session_at(settings, clock, cram=True)
    with ws:
        ids = []
        while (prompt := session.next()) is not None and len(ids) < 6:
            ids.append(prompt.card.id)
            session.answer(
                prompt,
                Rating.AGAIN if prompt.card.id == "a" and ids.count("a") == 1 else Rating.GOOD,
            )
        assert ids[0] == "a" and ids[-1] == "a" and len(ids) == 5
        assert all(ws.store.state(i).phase == "new" for i in ("a", "r", "n"))


def test_number_cards_grade_the_typed_answer(settings):
    clock = Clock(START)
    ws, session = session_at(settings, clock, filters=Filters(kind="number"))
    with ws:
        card = session.next().card
        assert session.grade(card, "100k s").verdict == "right"
        assert session.grade(card, "1 hour").verdict == "wrong"


def test_an_unknown_deck_is_not_found(settings):
    ws = open_workspace(settings, START)
    with ws, pytest.raises(NotFound, match="did you mean 'S'"):
        StudySession(ws, Clock(START), Filters(deck="s2"))


def test_building_the_queue_writes_nothing(settings):
    ws = open_workspace(settings, START)
    with ws:
        before = ws.store.conn.total_changes
        StudySession(ws, Clock(START))
        assert ws.store.conn.total_changes == before


# --------------------------------------------------------------------------- the reviewer

PROBLEM_DECK = """\
deck: P
problems:
  - id: pow
    title: Code space
    params:
      length: {default: 6, choices: [6]}
    question: How many codes of {length} characters from 62 symbols?
    values:
      codes: 62 ** length
    answers:
      total: {formula: codes, unit: count, prompt: Codes?}
      half: {formula: codes / 2, unit: count, prompt: Half of them?}
    source: Arithmetic
"""


def review_through(settings, lines: str, **kwargs):
    """Run the terminal reviewer on `lines` of input; returns (text, the console's spans)."""
    import io

    from rich.console import Console

    from drill.ui.reviewer import Input, Reviewer

    clock = Clock(START)
    ws, session = session_at(settings, clock, **kwargs)
    console = Console(record=True, width=100, force_terminal=False, color_system=None)
    with ws:
        Reviewer(session, Input(io.StringIO(lines)), console).run()
        history = {c: [r.rating for r in ws.store.history(c)] for c in ("a", "pow")}
    return console.export_text(), history


def test_the_answer_shows_its_source_and_date(settings):
    text, history = review_through(settings, "\n\n", filters=Filters(kind="basic"))
    assert "Answer A" in text and "Source: The book · as of 2026-11" in text
    assert history["a"] == [3]


def test_a_skipped_problem_answer_suggests_again_and_solutions_stay_plain(settings, tmp_path):
    (tmp_path / "decks" / "p.yaml").write_text(PROBLEM_DECK, encoding="utf-8")
    # First answer right, second skipped (empty line), then enter takes the suggestion.
    text, history = review_through(settings, "56.8 billion\n\n\n", filters=Filters(kind="problem"))
    assert "(enter: Again)" in text
    assert history["pow"] == [1]
    solution = next(line for line in text.splitlines() if "62 ** length" in line)
    assert "**" in solution  # shown as typed: a power, not Markdown bold
