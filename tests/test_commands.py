"""The everyday commands around the quiz: due, stats, card show/suspend/unsuspend/reset,
rename, config show; driven through the real CLI on a temporary database and clock."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from drill.scheduler import Rating, SchedulerConfig, answer
from drill.storage import Store

START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
CONFIG = SchedulerConfig(fuzz=False, tz=UTC)

DECK = """
deck: Cmd
options:
  new_per_day: 2
cards:
  - {id: a, front: Question A, back: Answer A, tags: [x]}
  - {id: b, front: Question B, back: Answer B}
  - {id: r, kind: reverse, front: ping, back: pong}
"""


@pytest.fixture
def env(tmp_path, monkeypatch, write_deck):
    decks = tmp_path / "decks"
    write_deck(DECK, "decks/cmd.yaml")
    config = tmp_path / "config.yaml"
    config.write_text(f"bundled: false\ndecks: [{decks}]\noptions:\n  fuzz: false\n")
    for key in ("DRILL_DECKS",):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("DRILL_CONFIG", str(config))
    monkeypatch.setenv("DRILL_DB", str(tmp_path / "drill.db"))
    monkeypatch.setenv("DRILL_NOW", START.isoformat())
    monkeypatch.setenv("TZ", "UTC")
    return tmp_path


def run_json(cli, *args):
    result = cli(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def review(env, card_id, rating, when):
    with Store(env / "drill.db") as store:
        before = store.state(card_id)
        store.record_answer(
            card_id, before, answer(before, rating, now=when, config=CONFIG), rating, when
        )


def test_due_counts_respect_the_deck_s_new_limit(cli, env):
    data = run_json(cli, "due")
    assert data == {
        "decks": {"Cmd": {"new": 2, "learning": 0, "review": 0}},
        "total": {"new": 2, "learning": 0, "review": 0},
    }
    text = cli("due").stdout
    assert "Cmd" in text and "total" in text


def test_due_counts_decks_with_nothing_due_in_one_line(cli, env, write_deck):
    """Fifty bundled decks would be fifty rows of zeros in a shell prompt: the text names the
    decks with something due and counts the rest; --all and --json list every deck. The fast
    path (`python -m drill due`, no typer) prints the same."""
    import subprocess
    import sys

    write_deck(
        "deck: Later\noptions: {new_per_day: 0}\ncards:\n  - {id: z, front: Z?, back: Z}\n",
        "decks/later.yaml",
    )
    text = cli("due").stdout
    assert "Cmd" in text and "Later" not in text
    assert text.rstrip().endswith("(1 more deck with nothing due: drill due --all)")
    every = cli("due", "--all").stdout
    assert "Later" in every and "more deck" not in every
    assert set(run_json(cli, "due")["decks"]) == {"Cmd", "Later"}
    for args in ([], ["--all"]):
        fast = subprocess.run(
            [sys.executable, "-m", "drill", "due", *args], capture_output=True, text=True
        )
        assert fast.stdout == cli("due", *args).stdout


def test_bare_drill_prints_the_summary_and_the_next_command(cli, env):
    result = cli()
    assert result.exit_code == 0
    assert "Cmd" in result.stdout and "Next: drill quiz" in result.stdout


def test_daily_new_limit_is_shared_across_sessions(cli, env):
    cli("due")  # sync
    review(env, "a", Rating.GOOD, START)
    assert run_json(cli, "due")["total"] == {"new": 1, "learning": 1, "review": 0}
    review(env, "b", Rating.EASY, START)
    assert run_json(cli, "due")["total"]["new"] == 0


def test_stats(cli, env, monkeypatch):
    cli("due")
    review(env, "a", Rating.EASY, START - timedelta(days=2))  # 4 days: due on the 3rd
    review(env, "b", Rating.GOOD, START - timedelta(days=1))
    review(env, "b", Rating.GOOD, START - timedelta(days=1))
    review(env, "b", Rating.AGAIN, START)  # a lapse at review: 1 review, failed
    data = run_json(cli, "stats")
    assert data["today"] == {"date": "2026-11-29", "reviews": 1}
    assert data["streak_days"] == 3
    assert data["reviews_per_day"] == {"2026-11-27": 1, "2026-11-28": 2, "2026-11-29": 1}
    assert data["retention_30d"]["young"] == {"passed": 0, "total": 1, "rate": 0.0}
    assert data["cards"] == {"new": 2, "learning": 0, "review": 1, "relearning": 1, "suspended": 0}
    due_days = {f["date"]: f["due"] for f in data["forecast_30d"] if f["due"]}
    assert due_days == {"2026-11-29": 1, "2026-12-01": 1}
    assert data["ease"]["2.5-2.7"] == 1 and data["ease"]["2.3-2.5"] == 1
    text = cli("stats").stdout
    assert "streak 3 days" in text and "Sun" in text
    assert "Nov" in text.splitlines()[3]  # month names above the heatmap


def test_card_show(cli, env):
    cli("due")
    review(env, "a", Rating.GOOD, START)
    data = run_json(cli, "card", "show", "a")
    assert data["state"]["phase"] == "learning" and data["where"].endswith("cmd.yaml:5")
    assert [h["rating"] for h in data["history"]] == [3]
    assert "rating 3" in cli("card", "show", "a").stdout
    missing = cli("card", "show", "nope")
    assert missing.exit_code == 2 and "no card or note with id 'nope'" in missing.stderr


def test_card_show_of_a_note_id_lists_its_cards(cli, env):
    (env / "decks" / "z.yaml").write_text(
        "deck: Z\ncards:\n  - {id: cz, kind: cloze, text: '{{c1::one}} and {{c2::two}}'}\n"
    )
    result = cli("card", "show", "cz")
    assert result.exit_code == 0, result.output
    assert "Note cz has 2 cards:" in result.stdout
    assert "cz/c1" in result.stdout and "cz/c2" in result.stdout
    assert [c["id"] for c in run_json(cli, "card", "show", "cz")["cards"]] == ["cz/c1", "cz/c2"]


def test_suspend_unsuspend_by_id_note_and_tag(cli, env):
    result = cli("card", "suspend", "r")  # a note id: both its cards
    assert result.stdout.strip() == "Suspended 2 cards."
    assert run_json(cli, "due")["total"]["new"] == 2
    cli("card", "suspend", "--tag", "x")
    assert run_json(cli, "card", "show", "a")["state"]["suspended"] is True
    assert cli("card", "unsuspend", "--deck", "Cmd").stdout.strip() == "Unsuspended 4 cards."
    assert cli("card", "suspend").exit_code == 2


def test_reset_asks_first_and_keeps_history(cli, env):
    cli("due")
    review(env, "a", Rating.EASY, START)
    declined = cli("card", "reset", "a", input="n\n")
    assert declined.exit_code == 1
    assert run_json(cli, "card", "show", "a")["state"]["phase"] == "review"
    assert cli("card", "reset", "a", input="y\n").exit_code == 0
    data = run_json(cli, "card", "show", "a")
    assert data["state"]["phase"] == "new" and len(data["history"]) == 1
    assert cli("card", "reset", "--yes", "b").stdout.strip() == "Reset 1 card."


def test_rename_moves_history(cli, env):
    cli("due")
    review(env, "a", Rating.GOOD, START)
    deck = env / "decks" / "cmd.yaml"
    deck.write_text(deck.read_text().replace("id: a,", "id: alpha,"))
    result = cli("rename", "a", "alpha")
    assert result.exit_code == 0 and result.stdout.strip() == "a -> alpha"
    assert len(run_json(cli, "card", "show", "alpha")["history"]) == 1
    assert cli("rename", "zzz", "y").exit_code == 2


def test_config_show_says_where_values_come_from(cli, env):
    data = run_json(cli, "config", "show", "--deck", "Cmd")
    assert data["database"] == {"path": str(env / "drill.db"), "from": "DRILL_DB"}
    assert data["bundled_decks"] is False
    assert data["deck_folders"] == [{"path": str(env / "decks"), "from": "config file"}]
    assert data["options"]["new_per_day"] == {"value": 2, "from": "deck file"}
    assert data["options"]["fuzz"] == {"value": False, "from": "config file"}
    assert data["options"]["learning_steps"] == {"value": "1m 10m", "from": "default"}


def test_broken_config_file_is_reported_with_line(cli, env):
    (env / "config.yaml").write_text("bundled: false\noptions:\n  new_per_day: many\n")
    result = cli("due")
    assert result.exit_code == 1
    assert "config.yaml:3: `new_per_day`: expected a whole number, found 'many'" in result.stderr


def test_a_broken_deck_file_is_skipped_whole_and_the_rest_works(cli, env):
    """As Anki skips a deck it cannot read: the broken file is one warning with path:line,
    its cards keep their last good state (never half a file), every other deck is studied,
    read-only commands keep working, and `drill check` still fails."""
    (env / "decks" / "other.yaml").write_text(
        "deck: Other\ncards:\n  - {id: o, front: Q, back: A}\n"
    )
    cli("due")
    review(env, "a", Rating.GOOD, START)
    deck = env / "decks" / "cmd.yaml"
    text = deck.read_text().replace("Question B", "Question B edited")
    deck.write_text(text + "  - {id: broken, front: only}\n")
    for command in (["quiz"], ["due"], ["stats"], ["card", "show", "a"]):
        result = cli(*command, input="q\n")
        assert result.exit_code == 0, (command, result.output)
        assert (
            "cmd.yaml:8: basic card 'broken' is missing `back:` (the answer) (file skipped"
            in result.stderr
        )
    assert "Other" in cli("due").stdout
    with Store(env / "drill.db") as store:
        assert store.card("broken") is None
        assert store.card("b").front == "Question B"  # not half of the file
        assert store.state("a").reps == 1
    assert cli("check").exit_code == 1


def test_a_missing_deck_folder_is_a_warning(cli, env, monkeypatch):
    monkeypatch.setenv("DRILL_DECKS", str(env / "no-such-folder"))
    result = cli("due")
    assert result.exit_code == 0
    assert "no-such-folder:0: no such file or folder" in result.stderr
    assert "Cmd" in result.stdout


def test_due_counts_agree_with_the_quiz_queue(env):
    """`drill due` counts with one SQL pass; a quiz builds its queue card by card. On a store
    with cards in every phase, both must say the same."""
    import random

    from drill.services.due import due
    from drill.services.settings import resolve
    from drill.services.study import StudySession
    from drill.services.workspace import open_workspace

    deck_text = "deck: Many\noptions:\n  new_per_day: 7\n  reviews_per_day: 9\ncards:\n" + "".join(
        f"  - {{id: m{i}, front: q{i}, back: a{i}}}\n" for i in range(60)
    )
    (env / "decks" / "many.yaml").write_text(deck_text)
    rng = random.Random(7)
    with Store(env / "drill.db") as store:
        from drill.paths import find_deck_files
        from drill.services.settings import resolve

        store.sync(find_deck_files(resolve().deck_roots)[0], START)
        for i in range(60):
            when = START - timedelta(days=rng.randint(0, 20), minutes=rng.randint(0, 600))
            for _ in range(rng.randint(0, 5)):
                before = store.state(f"m{i}")
                after = answer(before, Rating(rng.randint(1, 4)), now=when, config=CONFIG)
                store.record_answer(f"m{i}", before, after, 3, when)
                when = max(when, after.due or when)
    for minutes in (0, 5, 60 * 30, 60 * 24 * 3):
        now = START + timedelta(minutes=minutes)
        with open_workspace(resolve(), now) as ws:
            session = StudySession(ws, lambda now=now: now)
            horizon = now + timedelta(minutes=20)
            expected = (
                sum(c.deck == "Many" for c in session.new),
                sum(c.deck == "Many" and c.state.due <= horizon for c in session.learning),
                sum(c.deck == "Many" for c in session.reviews),
            )
            counts = due(ws).decks["Many"]
            assert (counts.new, counts.learning, counts.review) == expected, minutes


@pytest.mark.parametrize("command", [["quiz"], ["stats"], ["config", "show"]])
def test_unknown_deck_is_an_error_with_a_suggestion(cli, env, command):
    result = cli(*command, "--deck", "Cdm")
    assert result.exit_code == 2
    assert "no deck named 'Cdm' (did you mean 'Cmd'?)" in result.stderr


def test_a_parent_deck_s_limit_covers_its_subdecks(cli, env):
    """As in Anki: 20 new cards a day for P cover P::A and P::B together."""
    from drill.services.settings import resolve
    from drill.services.study import StudySession
    from drill.services.workspace import open_workspace

    for name in ("a", "b"):
        (env / "decks" / f"p-{name}.yaml").write_text(
            f"deck: P::{name.upper()}\ncards:\n"
            + "".join(f"  - {{id: p{name}{i}, front: q{i}, back: a{i}}}\n" for i in range(15))
        )
    data = run_json(cli, "due")["decks"]
    assert data["P::A"]["new"] == 15 and data["P::B"]["new"] == 5
    with open_workspace(resolve(), START) as ws:
        session = StudySession(ws, lambda: START)
        assert sum(c.deck.startswith("P::") for c in session.new) == 20


def test_card_show_says_buried_and_counts_in_words(cli, env):
    cli("due")
    with Store(env / "drill.db") as store:
        store.set_flags(["a"], buried_until=START + timedelta(hours=19))
    review(env, "a", Rating.GOOD, START)
    text = cli("card", "show", "a").stdout
    assert "buried until 2026-11-30 04:00" in text
    assert "1 review, 0 lapses" in text


def test_check_and_quiz_hint_at_rename_when_an_id_changed_but_not_the_text(cli, env):
    cli("due")
    review(env, "a", Rating.GOOD, START)
    deck = env / "decks" / "cmd.yaml"
    deck.write_text(deck.read_text().replace("id: a,", "id: apple,"))
    checked = cli("check")
    assert "drill rename a apple" in checked.stderr
    quiz = cli("quiz", input="q\n")
    assert "drill rename a apple" in quiz.stdout
    assert cli("rename", "a", "apple").exit_code == 0
    assert "drill rename" not in cli("check").stderr
