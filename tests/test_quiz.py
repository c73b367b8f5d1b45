"""The real `drill quiz`, driven in a pseudo-terminal with pexpect (and through a pipe), on a
temporary database with DRILL_NOW, checked against the scheduler and the store."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pexpect
import pytest

import private
from drill.scheduler import CardState, Rating, SchedulerConfig, answer

START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
CONFIG = SchedulerConfig(fuzz=False, tz=UTC)

BASIC = """
deck: Quiz
cards:
  - {id: a, front: Question A, back: Answer A}
  - {id: b, front: Question B, back: Answer B}
  - {id: c, front: Question C, back: Answer C}
"""

NUMBERS = """
deck: Numbers
cards:
  - {id: day, kind: number, front: Seconds in a day?, answer: "86,400 s"}
  - {id: url, kind: number, front: Write QPS?, answer: 40 /s}
  - {id: big, kind: number, front: Storage?, answer: 3 TB}
  - {id: gbps, kind: number, front: 1 Gbps in bytes?, answer: 125 MB/s}
"""


@pytest.fixture
def env(tmp_path):
    """A private config (no bundled decks, no fuzz), database and clock."""
    decks = tmp_path / "decks"
    decks.mkdir()
    return private.terminal_env(tmp_path, decks, START)


def deck(env, text, name="deck.yaml"):
    path = Path(env["DRILL_CONFIG"]).parent / "decks" / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def spawn(env, *args, now=None):
    child_env = dict(env)
    if now is not None:
        child_env["DRILL_NOW"] = now.isoformat()
    return pexpect.spawn(
        sys.executable,
        ["-m", "drill", "quiz", *args],
        env=child_env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 120),
    )


def finish(child):
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def db_rows(env, sql, *args):
    conn = sqlite3.connect(env["DRILL_DB"])
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, args)]
    finally:
        conn.close()


def stored_state(env, card_id):
    from drill.storage.records import state_of as state_from_row

    conn = sqlite3.connect(env["DRILL_DB"])
    conn.row_factory = sqlite3.Row
    try:
        return state_from_row(
            conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
        )
    finally:
        conn.close()


def reveal_and_rate(child, question, answer_text, key):
    child.expect_exact(question)
    child.send(" ")
    child.expect_exact(answer_text)
    child.expect_exact("(enter: ")
    child.send(key)


def test_new_card_through_learning_steps_to_graduation(env):
    deck(env, "deck: Quiz\ncards:\n  - {id: a, front: Question A, back: Answer A}\n")
    child = spawn(env)
    child.expect_exact("new 1 · learning 0 · review 0")
    child.expect_exact("Question A")
    child.send(" ")
    child.expect_exact("1 Again <1m   2 Hard <6m   3 Good <10m   4 Easy 4d")
    child.send("3")
    # The 10-minute step is inside the learn-ahead limit: the card comes back now.
    child.expect_exact("new 0 · learning 1 · review 0")
    child.expect_exact("Question A")
    child.send(" ")
    child.expect_exact("1 Again <1m   2 Hard <10m   3 Good 1d   4 Easy 4d")
    child.send("3")
    child.expect_exact("2 cards in")
    child.expect_exact("Next card due tomorrow at 04:00.")
    assert finish(child) == 0

    expected = answer(
        answer(CardState(), Rating.GOOD, now=START, config=CONFIG),
        Rating.GOOD,
        now=START,
        config=CONFIG,
    )
    assert stored_state(env, "a") == expected
    assert (expected.phase, expected.interval_days) == ("review", 1)
    assert expected.due == datetime(2026, 11, 30, 4, 0, tzinfo=UTC)
    log = db_rows(env, "SELECT rating, review_kind, phase_before, phase_after FROM review_log")
    assert log == [
        {"rating": 3, "review_kind": "learn", "phase_before": "new", "phase_after": "learning"},
        {"rating": 3, "review_kind": "learn", "phase_before": "learning", "phase_after": "review"},
    ]


def graduate(env, card_id="a"):
    """Take card `a` to review (1 day) by quizzing through the pipe mode."""
    subprocess.run(
        [sys.executable, "-m", "drill", "quiz", "--deck", "Quiz"],
        env=env,
        input="\n\n" * 2,
        text=True,
        capture_output=True,
        check=True,
    )
    return stored_state(env, card_id)


def test_a_review_and_a_lapse_then_relearning(env):
    deck(env, "deck: Quiz\ncards:\n  - {id: a, front: Question A, back: Answer A}\n")
    state = graduate(env)
    assert state.phase == "review"
    day2 = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    child = spawn(env, now=day2)
    child.expect_exact("new 0 · learning 0 · review 1")
    child.expect_exact("Question A")
    child.send(" ")
    child.expect_exact("1 Again <10m   2 Hard 2d   3 Good 3d   4 Easy 4d")
    child.send("1")  # a lapse: relearning step of 10 minutes, shown again within learn-ahead
    child.expect_exact("learning 1")
    child.expect_exact("Question A")
    child.send(" ")
    child.expect_exact("3 Good 1d")
    child.send("3")
    child.expect_exact("2 cards in")
    assert finish(child) == 0
    lapsed = answer(state, Rating.AGAIN, now=day2, config=CONFIG)
    relearned = answer(lapsed, Rating.GOOD, now=day2, config=CONFIG)
    assert (lapsed.phase, lapsed.lapses, lapsed.ease) == ("relearning", 1, 2.3)
    assert stored_state(env, "a") == relearned
    kinds = [r["review_kind"] for r in db_rows(env, "SELECT review_kind FROM review_log")]
    assert kinds == ["learn", "learn", "review", "relearn"]


def test_undo_restores_the_card_and_the_log(env):
    deck(env, BASIC)
    child = spawn(env)
    reveal_and_rate(child, "Question A", "Answer A", "4")  # Easy: graduates to 4 days
    child.expect_exact("Question B")
    child.send("u")
    child.expect_exact("Undid the answer to a.")
    child.expect_exact("new 3 · learning 0 · review 0")  # a is new again, and counted
    child.expect_exact("Question A")  # shown again first
    child.send("3")
    child.expect_exact("Show the answer first")
    assert db_rows(env, "SELECT count(*) AS n FROM review_log") == [{"n": 0}]
    assert stored_state(env, "a") == CardState()
    child.send("q")
    assert finish(child) == 0


def test_suspend_and_bury(env):
    deck(env, BASIC)
    child = spawn(env)
    child.expect_exact("Question A")
    child.send("s")
    child.expect_exact("Suspended a")
    child.expect_exact("Question B")
    child.send(" ")
    child.expect_exact("Answer B")
    child.send("b")
    child.expect_exact("Buried b until tomorrow.")
    child.expect_exact("Question C")
    child.send("q")
    assert finish(child) == 0
    rows = {r["id"]: r for r in db_rows(env, "SELECT id, suspended, buried_until FROM cards")}
    assert rows["a"]["suspended"] == 1
    assert rows["b"]["buried_until"] == "2026-11-30T04:00:00+00:00"
    assert db_rows(env, "SELECT count(*) AS n FROM review_log") == [{"n": 0}]
    # Tomorrow the buried card is back; the suspended one is not.
    out = subprocess.run(
        [sys.executable, "-m", "drill", "due", "--json"],
        text=True,
        capture_output=True,
        check=True,
        env={**env, "DRILL_NOW": "2026-11-30T09:00:00+00:00"},
    ).stdout
    assert json.loads(out)["total"]["new"] == 2


def test_where_the_card_lives_and_help(env):
    path = deck(env, BASIC)
    child = spawn(env)
    child.expect_exact("Question A")
    child.send("e")
    child.expect_exact(f"{path}:3")
    child.send("?")
    child.expect_exact("undo the last answer")
    child.send("q")
    assert finish(child) == 0


@pytest.mark.parametrize(
    ("card", "typed", "verdict", "suggested"),
    [
        ("Seconds in a day?", "86400", "right: you said 86,400 s, exact", "Good"),
        ("Write QPS?", "80 QPS", "close: you said 80 /s, 2.0x high", "Hard"),
        ("Storage?", "3 PB", "wrong: you said 3,000 TB, 1,000x high", "Again"),
        (
            "1 Gbps in bytes?",
            "120 s",
            "wrong kind of quantity: you gave a time (2 min), the answer is a bandwidth",
            "Again",
        ),
    ],
)
def test_typed_number_answers_are_graded(env, card, typed, verdict, suggested):
    deck(env, NUMBERS)
    child = spawn(env)
    for question in ("Seconds in a day?", "Write QPS?", "Storage?", "1 Gbps in bytes?"):
        child.expect_exact(question)
        if question == card:
            break
        child.sendline("")  # just show it
        child.expect_exact("(enter: ")
        child.send("s")  # suspend the ones we skip, so the queue moves on
        child.expect_exact("Suspended")
    child.expect_exact("> ")
    child.sendline(typed)
    child.expect_exact(verdict)
    child.expect_exact(f"(enter: {suggested})")
    child.send("\r")
    child.expect_exact("> ")
    child.sendeof()
    child.expect_exact("1 card in")  # Ctrl-D at the next prompt ends the session
    finish(child)
    log = db_rows(env, "SELECT typed_answer, grade, rating FROM review_log")
    expected_rating = {"Good": 3, "Hard": 2, "Again": 1}[suggested]
    assert log[0] == {
        "typed_answer": typed,
        "grade": verdict.split(":")[0].replace("wrong kind of quantity", "dimension"),
        "rating": expected_rating,
    }


def test_unreadable_typed_answer_asks_again(env):
    deck(env, NUMBERS)
    child = spawn(env)
    child.expect_exact("Seconds in a day?")
    child.sendline("lots")
    child.expect_exact("could not read that")
    child.expect_exact("> ")
    child.sendline("1 day")
    child.expect_exact("right")
    child.send("q")
    assert finish(child) == 0


@pytest.mark.parametrize("how", ["q", "ctrl-c", "eof"])
def test_quitting_is_clean(env, how):
    deck(env, BASIC)
    child = spawn(env)
    reveal_and_rate(child, "Question A", "Answer A", "3")
    child.expect_exact("Question B")
    child.expect_exact("space/enter: show answer")  # the prompt: the quiz is reading keys
    if how == "q":
        child.send("q")
    elif how == "ctrl-c":
        child.sendintr()
    else:
        child.sendeof()
    child.expect_exact("1 card in")
    output = child.before
    status = finish(child)
    assert status == 0
    assert "Traceback" not in output
    assert db_rows(env, "SELECT card_id FROM review_log") == [{"card_id": "a"}]


def test_kill_9_loses_no_confirmed_answer(env):
    deck(env, BASIC)
    child = spawn(env)
    reveal_and_rate(child, "Question A", "Answer A", "4")
    reveal_and_rate(child, "Question B", "Answer B", "4")
    child.expect_exact("Question C")  # both answers were confirmed before this showed
    child.send(" ")
    child.expect_exact("Answer C")
    os.kill(child.pid, signal.SIGKILL)
    child.expect(pexpect.EOF)
    child.close()
    log = db_rows(env, "SELECT card_id FROM review_log ORDER BY id")
    assert [r["card_id"] for r in log] == ["a", "b"]
    assert stored_state(env, "b").phase == "review"


def test_two_quizzes_on_one_database(env):
    deck(env, BASIC)
    one, two = spawn(env), spawn(env)
    reveal_and_rate(one, "Question A", "Answer A", "4")
    # The second process still shows card a; answering it is refused, not crashed on.
    reveal_and_rate(two, "Question A", "Answer A", "4")
    two.expect_exact("answered in another drill session meanwhile")
    reveal_and_rate(two, "Question B", "Answer B", "4")
    reveal_and_rate(one, "Question B", "Answer B", "4")
    one.expect_exact("answered in another drill session meanwhile")
    reveal_and_rate(one, "Question C", "Answer C", "4")
    two.expect_exact("Question C")
    two.send("q")
    for child in (one, two):
        child.expect(["cards in", "card in"])
        output = child.before
        assert finish(child) == 0
        assert "locked" not in output
    log = [r["card_id"] for r in db_rows(env, "SELECT card_id FROM review_log ORDER BY id")]
    assert sorted(log) == ["a", "b", "c"]


def test_thirty_simulated_days_match_the_scheduler(env):
    """Quiz every morning for 30 days through a pipe, answering Good; the store's due dates
    and `drill due` counts follow the scheduler exactly."""
    ids = [f"c{i:02d}" for i in range(30)]
    deck(
        env,
        "deck: Quiz\noptions:\n  new_per_day: 3\ncards:\n"
        + "".join(f"  - {{id: {i}, front: Q {i}, back: A {i}}}\n" for i in ids),
    )
    expected = {i: CardState() for i in ids}
    introduced: list[str] = []
    for day in range(30):
        now = START + timedelta(days=day)
        day_env = {**env, "DRILL_NOW": now.isoformat()}
        due = json.loads(
            subprocess.run(
                [sys.executable, "-m", "drill", "due", "--json"],
                env=day_env,
                text=True,
                capture_output=True,
                check=True,
            ).stdout
        )["total"]
        # What the scheduler says is due this morning.
        reviews = [i for i in introduced if expected[i].due <= now]
        fresh = [i for i in ids if i not in introduced][:3]
        assert due == {"new": len(fresh), "learning": 0, "review": len(reviews)}, day
        subprocess.run(
            [sys.executable, "-m", "drill", "quiz"],
            env=day_env,
            input="\n" * 400,
            text=True,
            capture_output=True,
            check=True,
        )
        for i in reviews:
            expected[i] = answer(expected[i], Rating.GOOD, now=now, config=CONFIG)
        for i in fresh:
            expected[i] = answer(
                answer(expected[i], Rating.GOOD, now=now, config=CONFIG),
                Rating.GOOD,
                now=now,
                config=CONFIG,
            )
            introduced.append(i)
    for i in ids:
        assert stored_state(env, i) == expected[i], i
    assert expected["c00"].interval_days > 8  # it did move along: 1, 3, 8, 20 ...


def quiz_pipe(env, *args, lines="", now=None):
    run_env = dict(env)
    if now is not None:
        run_env["DRILL_NOW"] = now.isoformat()
    return subprocess.run(
        [sys.executable, "-m", "drill", "quiz", *args],
        env=run_env,
        input=lines,
        text=True,
        capture_output=True,
        check=True,
    ).stdout


def test_leech_is_announced_tagged_and_suspended(env):
    deck(
        env,
        "deck: Quiz\noptions:\n  leech_threshold: 1\n  leech_action: suspend\n"
        "cards:\n  - {id: a, front: Question A, back: Answer A}\n",
    )
    graduate(env)
    out = quiz_pipe(env, lines="\n1\n", now=START + timedelta(days=1))
    assert "This card is a leech (1 lapse): suspended." in out
    row = db_rows(env, "SELECT leech, suspended FROM cards WHERE id = 'a'")[0]
    assert row == {"leech": 1, "suspended": 1}


def test_cram_goes_through_everything_without_rescheduling(env):
    deck(env, BASIC)
    graduate(env)  # a is in review, due tomorrow; b and c are new
    before = {i: stored_state(env, i) for i in "abc"}
    out = quiz_pipe(env, "--cram", lines="\n1\n\n3\n\n3\n\n3\n")  # a: Again, then again Good
    assert out.count("Question A") == 2 and "Question C" in out
    assert {i: stored_state(env, i) for i in "abc"} == before
    kinds = db_rows(env, "SELECT review_kind, count(*) AS n FROM review_log GROUP BY review_kind")
    assert {r["review_kind"]: r["n"] for r in kinds} == {"learn": 2, "cram": 4}


def test_new_and_limit_override_the_daily_limits(env):
    deck(env, BASIC)
    out = quiz_pipe(env, "--new", "1", lines="\n3\n\n3\n")
    assert "Question A" in out and "Question B" not in out


PROBLEM = """
deck: Est
problems:
  - id: qps
    title: Requests per day to QPS
    params:
      per_day: {default: 1M, range: [100K, 100M]}
      peak: {default: 3, range: [2, 5], step: 1}
    question: A service gets {per_day} requests a day; peaks are {peak}x the average.
    answers:
      average: {formula: per_day / day, unit: /s, prompt: "Average QPS?"}
      busiest: {formula: per_day / day * peak, unit: /s, prompt: "Peak QPS?"}
"""


def test_problem_cards_draw_fresh_numbers_and_grade_each_answer(env):
    from drill.content import load
    from drill.problems import seed_for

    path = deck(env, PROBLEM)
    template = load([path]).templates[0]
    first = template.instance(seed_for("qps", 0))
    average, busiest = first.answers["average"], first.answers["busiest"]
    # One answer right (typed in base units), one 3x off; then enter takes the suggestion.
    out = quiz_pipe(env, lines=f"{average.value.value}\n{busiest.value.value * 3}\n\nq\n")
    assert first.question in out
    assert "right: you said" in out and "off: you said" in out
    assert "(enter: Again)" in out
    assert "busiest = per_day / day * peak" in out  # the worked solution
    log = db_rows(env, "SELECT card_id, typed_answer, grade, rating FROM review_log")
    assert len(log) == 1 and log[0]["card_id"] == "qps"
    assert json.loads(log[0]["typed_answer"]) == {
        "average": str(average.value.value),
        "busiest": str(busiest.value.value * 3),
    }
    assert (log[0]["grade"], log[0]["rating"]) == ("off", 1)
    # The next review draws new numbers (seeded by the review count).
    second = template.instance(seed_for("qps", 1))
    assert second.params != first.params
    assert second.question in quiz_pipe(env, lines="q\n")


def test_problem_hints_on_h(env):
    deck(
        env,
        PROBLEM.replace("    answers:", "    hints: [A day is about 100K seconds.]\n    answers:"),
    )
    out = quiz_pipe(env, lines="h\nh\n\n\nq\n")
    assert "hint: A day is about 100K seconds." in out
    assert "No more hints." in out


def test_undo_takes_back_a_suspend_and_a_bury(env):
    deck(env, BASIC)
    child = spawn(env)
    child.expect_exact("Question A")
    child.send("s")
    child.expect_exact("Question B")
    child.send("b")
    child.expect_exact("Question C")
    child.send("u")
    child.expect_exact("Undid burying b.")
    child.expect_exact("Question B")
    child.send("u")
    child.expect_exact("Undid suspending a.")
    child.expect_exact("Question A")
    child.send("q")
    assert finish(child) == 0
    rows = db_rows(env, "SELECT id, suspended, buried_until FROM cards ORDER BY id")
    assert [(r["suspended"], r["buried_until"]) for r in rows] == [(0, None)] * 3
