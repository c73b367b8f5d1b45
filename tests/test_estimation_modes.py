"""Assumption mode and timed mode (issue 17), where they run: on the session layer in-process
(StudySession.attempt, PracticeRun), in the reviewer in-process, through the real CLI, and
in a pseudo-terminal with pexpect (`drill quiz --assume/--timed`, `drill problem practice
--assume --timed`); and the median time per family in `drill stats`."""

from __future__ import annotations

import io
import json
import re
import sqlite3
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import pexpect
import pytest

import private
from drill import grading
from drill.content import load_problems
from drill.scheduler import Rating
from drill.services.practice import PracticeRun
from drill.services.settings import Settings
from drill.services.stats import stats
from drill.services.study import MAX_ANSWER_MS, Filters, StudySession
from drill.services.workspace import open_workspace
from drill.ui.practice import practice

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)

PROBLEM = """\
deck: Est
problems:
  - id: qps
    title: Requests per day to QPS
    family: traffic
    scenario: A web service. Estimate its request rate and what serves it.
    params:
      per_day: {default: 1M, range: [100K, 100M], ask: "Requests a day?"}
      peak: {default: 3, range: [2, 5], step: 1, ask: "Peak to average?"}
    question: A service gets {per_day} requests a day; peaks are {peak}x the average.
    values:
      busiest_rate: per_day / day * peak
    answers:
      average: {formula: per_day / day, unit: /s, prompt: "Average QPS?"}
      busiest: {formula: busiest_rate, unit: /s, prompt: "Peak QPS?"}
    decision:
      prompt: One server or more?
      by: busiest_rate
      options: [one server, more servers]
      thresholds:
        - {at: 1000 /s, rule: one server takes about 1K QPS}
"""


class Clock:
    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class Timer:
    """A stopwatch the test moves: `step` seconds pass at every reading."""

    def __init__(self, step: float = 0.0):
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    (tmp_path / "decks").mkdir()
    (tmp_path / "decks" / "est.yaml").write_text(PROBLEM, encoding="utf-8")
    return private.settings(tmp_path, tmp_path / "decks")


def review_log(path: Path) -> list[dict]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM review_log ORDER BY id")]
    finally:
        conn.close()


# --------------------------------------------------------------------------- the session layer


def test_the_session_works_a_problem_from_the_users_assumptions_and_times_it(settings):
    timer = Timer()
    ws = open_workspace(settings, START)
    with ws:
        session = StudySession(ws, Clock(START), assume=True, timed=True, timer=timer)
        prompt = session.next()
        attempt = session.attempt(prompt.card)
        assert attempt.assume and attempt.timed and attempt.instance is None
        assert attempt.question == "A web service. Estimate its request rate and what serves it."
        assert [p.name for p in attempt.to_assume()] == ["per_day", "peak"]
        assert attempt.assume_input("per_day", "10M").verdict == "right"
        assert attempt.assume_input("peak", "4").verdict == "right"
        instance = attempt.begin()
        assert (
            instance.question
            == "A service gets 10 million requests a day; peaks are 4x the average."
        )
        timer.now += 40
        assert attempt.countdown() == "2:20 left"
        assert attempt.answer("average", "116").verdict == "right"
        assert attempt.answer("busiest", "463").verdict == "right"
        assert attempt.answer("decision", "one").verdict == "right"
        timer.now += 55  # 95 s in all: over Anki's one-minute cap for a card, kept for a problem
        attempt.finish()
        assert attempt.rating == grading.GOOD
        session.answer(
            prompt,
            attempt.rating,
            answer_ms=attempt.elapsed_ms,
            typed_answer=attempt.typed_json(),
            grade=attempt.verdict,
        )
    (row,) = review_log(settings.database.value)
    assert row["answer_ms"] == 95_000 > MAX_ANSWER_MS
    assert row["grade"] == "right" and row["rating"] == Rating.GOOD
    assert json.loads(row["typed_answer"]) == {
        "average": "116",
        "busiest": "463",
        "decision": "one",
        "assumed": {"per_day": "10M", "peak": "4"},
    }


def test_the_session_without_modes_asks_the_drawn_numbers(settings):
    ws = open_workspace(settings, START)
    with ws:
        session = StudySession(ws, Clock(START))
        prompt = session.next()
        attempt = session.attempt(prompt.card)
        assert not attempt.assume and not attempt.timed
        assert attempt.instance is not None and attempt.to_assume() == []
        assert attempt.question == session.problem(prompt.card).question
        assert [s.name for s in attempt.steps] == ["average", "busiest", "decision"]
        assert attempt.steps[-1].options == ("one server", "more servers")


def review_through(settings, lines: str, **kwargs):
    """Run the terminal reviewer in-process on `lines` of input."""
    from rich.console import Console

    from drill.ui.reviewer import Input, Reviewer

    ws = open_workspace(settings, START)
    console = Console(record=True, width=120, force_terminal=False, color_system=None)
    with ws:
        session = StudySession(ws, Clock(START), filters=Filters(kind="problem"), **kwargs)
        Reviewer(session, Input(io.StringIO(lines)), console).run()
    return console.export_text(), review_log(settings.database.value)


def test_the_reviewer_in_assumption_mode(settings):
    # Two assumptions (one 100x off), both answers right, the decision right, then enter.
    text, log = review_through(settings, "10 billion\n4\n463K\n1.85M\n2\n\n", assume=True)
    assert "Assumption mode: the inputs are hidden." in text
    assert "per_day: off: you assumed 10 billion, 100x above the reference range" in text
    assert "peak: fine: you assumed 4, inside the reference range 2 to 5" in text
    assert "With your numbers: A service gets 10 billion requests a day" in text
    assert "Assumption per_day: you assumed 10 billion" in text
    assert "  napkin  10^10 / 10^5 s * 4 ≈ 4×10^5 /s (400K /s)" in text
    assert "(enter: Again)" in text  # an assumption beyond 10x: Again
    (row,) = log
    assert row["rating"] == 1 and row["grade"] == "wrong"
    assert json.loads(row["typed_answer"])["assumed"] == {"per_day": "10 billion", "peak": "4"}


def first_review(settings):
    """The problem the first review draws (seeded by the card and its review count)."""
    from drill.problems import seed_for

    (template,) = load_problems([settings.deck_folders[0].value])
    return template.instance(seed_for("qps", 0))


def right_answers(instance) -> str:
    lines = [a.text for a in instance.answers.values()]
    return "".join(f"{line}\n" for line in [*lines, str(instance.decision.index + 1)])


def shown_time(ms: int) -> str:
    seconds = ms // 1000
    return f"{seconds // 60}:{seconds % 60:02d}"


def test_the_reviewer_in_timed_mode_shows_the_countdown_and_records_the_time(settings, capsys):
    timer = Timer(step=20)  # at every reading of the stopwatch, 20 s pass
    lines = right_answers(first_review(settings)) + "\n"
    text, log = review_through(settings, lines, timed=True, timer=timer)
    out = capsys.readouterr().out  # typed answers are read as lines, after their prompt
    assert "Timed: 2:40 left." in text
    left = [int(m) * 60 + int(s) for m, s in re.findall(r"\[(\d):(\d\d) left\] ", out)]
    first = left[:3]  # the three replies; then the card comes back in its learning step
    assert first == sorted(first, reverse=True) and first[0] < 180 and first[-1] < first[0]
    assert re.search(r"\[\d:\d\d left\] Average QPS\? ", out)
    assert re.search(r"\[\d:\d\d left\] > ", out)  # the decision, asked by its number
    (row,) = log
    assert row["rating"] == 3 and row["answer_ms"] % 20_000 == 0 and row["answer_ms"] > 0
    assert f"Time: {shown_time(row['answer_ms'])} of 3:00." in text
    assert "(enter: Good)" in text


def test_a_timed_problem_over_its_budget_is_rated_at_most_hard(settings):
    timer = Timer(step=100)
    lines = right_answers(first_review(settings)) + "\n"
    text, log = review_through(settings, lines, timed=True, timer=timer)
    (row, *_rest) = log
    assert row["answer_ms"] > 180_000
    assert f"Time: {shown_time(row['answer_ms'])}, over the 3:00 budget (rating at most Hard)." in (
        text
    )
    assert "(enter: Hard)" in text
    assert (row["rating"], row["grade"]) == (2, "right")


def test_a_practice_run_on_the_session_layer(settings):
    templates = load_problems([settings.deck_folders[0].value])
    timer = Timer()
    seeds = [a.seed for a in iter(PracticeRun(templates, 2, seed=3, timer=timer).next, None)]
    assert len(seeds) == 2 and seeds == [
        a.seed for a in iter(PracticeRun(templates, 2, seed=3, timer=timer).next, None)
    ]  # the same seed, the same problems
    run = PracticeRun(templates, 2, seed=3, assume=True, timed=True, timer=timer)
    attempt = run.next()
    assert attempt.assume and attempt.timed and attempt.seed == seeds[0]
    attempt.assume_input("per_day", "1M")
    attempt.assume_input("peak", "3")
    for step in attempt.steps:
        attempt.answer(step.name, step.text)
    attempt.finish()
    run.finished(attempt)
    assert (run.done, run.all_right) == (1, 1)
    assert run.next() is not None and run.next() is None  # two problems, then the end


def test_practice_in_assumption_and_timed_mode(settings):
    templates = load_problems([settings.deck_folders[0].value])
    lines = iter(["100M\n", "3\n", "?\n", "1.16K\n", "3.5K\n", "2\n"])
    out: list[str] = []

    def echo(text: str = "", nl: bool = True) -> None:
        out.append(text + ("\n" if nl else ""))

    done = practice(
        templates,
        1,
        4,
        lambda: next(lines, ""),
        echo,
        echo_input=True,
        assume=True,
        timed=True,
        timer=Timer(step=10),
    )
    text = "".join(out)
    assert done == (1, 1)
    assert "Assumption mode: the inputs are hidden." in text
    assert "A web service. Estimate its request rate and what serves it." in text
    assert "  [2:50 left] assume 1/2 Requests a day? > 100M" in text
    assert "    fine: you assumed 100 million, inside the reference range" in text
    assert "  With your numbers: A service gets 100 million requests a day" in text
    assert "  3/3 One server or more?\n      1) one server\n      2) more servers\n" in text
    assert "    right: you chose 'more servers': 3.47K /s is at or above 1K /s" in text
    assert "  Time: " in text and " of 3:00" in text
    assert "  Result: right (suggested rating: Good)" in text


def test_practice_assume_and_timed_through_the_cli(cli, settings):
    folder = settings.deck_folders[0].value
    args = ["problem", "practice", "--decks", folder, "--deck", "Est", "--count", "1"]
    result = cli(*args, "--seed", "1", "--assume", "--timed", input="1M\n3\n11.6\n34.7\n1\n")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "assume 1/2 Requests a day? > 1M" in out
    assert " left] 1/3 Average QPS? > 11.6" in out
    assert "Result: right (suggested rating: Good)" in out
    assert out.rstrip().endswith("Done: 1 problem, 1 all right.")


# --------------------------------------------------------------------------- drill stats


def test_stats_show_the_median_time_per_family(settings, tmp_path):
    (tmp_path / "decks" / "more.yaml").write_text(
        PROBLEM.replace("deck: Est", "deck: More")
        .replace("id: qps", "id: storage-ish")
        .replace("family: traffic", "family: storage"),
        encoding="utf-8",
    )
    timer = Timer()
    ws = open_workspace(settings, START)
    with ws:
        session = StudySession(ws, Clock(START), cram=True, timer=timer)
        times = {"qps": [], "storage-ish": []}
        for seconds in (100, 140, 300, 60, 90):
            prompt = session.next()
            attempt = session.attempt(prompt.card)
            timer.now += seconds
            attempt.finish()
            times[prompt.card.id].append(seconds)
            session.answer(prompt, Rating.AGAIN, answer_ms=attempt.elapsed_ms)
        report = stats(ws)
    medians = {
        "traffic": sorted(times["qps"])[len(times["qps"]) // 2],
        "storage": sorted(times["storage-ish"])[len(times["storage-ish"]) // 2],
    }
    assert report.problem_times["traffic"]["answers"] == len(times["qps"])
    assert report.to_json()["problem_times"]["storage"]["answers"] == len(times["storage-ish"])
    for family, t in report.problem_times.items():
        values = sorted(times["qps" if family == "traffic" else "storage-ish"])
        mid = len(values) // 2
        expected = values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2
        assert t["median_seconds"] == expected, (family, medians)
    from drill.ui import render

    text = render.stats(report)
    assert "Estimation problems, median time per family (the guide budgets 3:00):" in text


# --------------------------------------------------------------------------- a real terminal


@pytest.fixture
def env(tmp_path):
    decks = tmp_path / "decks"
    decks.mkdir()
    (decks / "est.yaml").write_text(textwrap.dedent(PROBLEM), encoding="utf-8")
    return private.terminal_env(tmp_path, decks, START, columns=120)


def spawn(env, *args):
    return pexpect.spawn(
        sys.executable,
        ["-m", "drill", *args],
        env=env,
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 160),
    )


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_quiz_assume_in_a_terminal(env):
    child = spawn(env, "quiz", "--assume")
    child.expect_exact("A web service. Estimate its request rate and what serves it.")
    child.expect_exact("Requests a day?")
    child.sendline("1M")
    child.expect_exact("per_day: fine: you assumed 1 million")
    child.expect_exact("Peak to average?")
    child.sendline("30")  # 6x above the range: still fine
    child.expect_exact("peak: fine: you assumed 30, 6.0x above the reference range 2 to 5")
    child.expect_exact("With your numbers: A service gets 1 million requests a day; peaks are 30x")
    child.expect_exact("Average QPS?")
    child.sendline("11.6")
    child.expect_exact("right: you said 11.6 /s")
    child.expect_exact("Peak QPS?")
    child.sendline("350")
    child.expect_exact("One server or more?")
    child.expect_exact("2) more servers")
    child.sendline("1")
    child.expect_exact("right: you chose 'one server'")
    child.expect_exact("threshold 1K /s: one server takes about 1K QPS")
    child.expect_exact("(enter: Good)")
    child.send("\r")
    child.expect_exact("Requests a day?")  # in its 10-minute learning step: shown again
    child.sendline("q")
    child.expect_exact("1 card in")
    assert finish(child) == 0
    conn = sqlite3.connect(env["DRILL_DB"])
    typed, grade, rating = conn.execute(
        "SELECT typed_answer, grade, rating FROM review_log"
    ).fetchone()
    conn.close()
    assert json.loads(typed)["assumed"] == {"per_day": "1M", "peak": "30"}
    assert (grade, rating) == ("right", 3)


def test_quiz_timed_in_a_terminal(env):
    from drill.problems import seed_for

    (template,) = load_problems([Path(env["DRILL_CONFIG"]).parent / "decks"])
    instance = template.instance(seed_for("qps", 0))
    child = spawn(env, "quiz", "--timed")
    child.expect(r"Timed: \d:\d\d left\.")
    child.expect(r"\[\d:\d\d left\] Average QPS\?")
    child.sendline(instance.answers["average"].text)
    child.expect(r"\[\d:\d\d left\] Peak QPS\?")
    child.sendline(instance.answers["busiest"].text)
    child.expect_exact("One server or more?")
    child.expect(r"\[\d:\d\d left\] > ")
    child.sendline(instance.decision.answer)
    child.expect(r"Time: \d:\d\d of 3:00\.")
    child.expect_exact("(enter: Good)")
    child.send("\r")
    child.expect(r"Average QPS\?")  # in its learning step: shown again, with new numbers
    child.sendline("q")
    child.expect_exact("1 card in")
    assert finish(child) == 0
    conn = sqlite3.connect(env["DRILL_DB"])
    (answer_ms,) = conn.execute("SELECT answer_ms FROM review_log").fetchone()
    conn.close()
    assert isinstance(answer_ms, int) and 0 <= answer_ms <= 180_000


def test_practice_assume_timed_in_a_terminal(env):
    child = spawn(
        env, "problem", "practice", "--deck", "Est", "--count", "1", "--seed", "2", "--assume",
        "--timed",
    )  # fmt: skip
    child.expect(r"\[\d:\d\d left\] assume 1/2 Requests a day\? > ")
    child.sendline("100 trillion")
    child.expect_exact("off: you assumed 100 trillion, 1 million times above the reference range")
    child.expect_exact("Peak to average? > ")
    child.sendline("3")
    child.expect_exact("With your numbers:")
    child.expect_exact("Average QPS? > ")
    child.sendline("q")
    child.expect_exact("Stopped. 0 problems done, 0 all right.")
    assert finish(child) == 0
