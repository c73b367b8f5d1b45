"""FSRS per preset (issue 10): drill's FSRS path through the store gives exactly what the
`fsrs` package (py-fsrs, the reference) gives for the same answers; switching a deck SM-2 ->
FSRS -> SM-2 loses nothing; the quiz schedules with FSRS when the preset says so; a v1
database upgrades; `drill optimize` says why it cannot run."""

from __future__ import annotations

import json
import random
import sqlite3
import subprocess
import sys
import textwrap
import zlib
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import fsrs
import fsrs.scheduler as fsrs_module
import pytest
import sqlite_utils

from drill import fsrs_scheduler
from drill.fsrs_scheduler import FsrsState, next_states
from drill.options import FSRS_PARAMETER_BOUNDS, OptionError, parse_value, resolver
from drill.scheduler import CardState, Rating, SchedulerConfig
from drill.scheduler import answer as sm2_answer
from drill.services.schedules import sync_schedulers
from drill.storage import Store

START = datetime(2026, 11, 29, 9, 0, tzinfo=UTC)
FSRS_STATES = {"learning": fsrs.State.Learning, "review": fsrs.State.Review}


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def seed(card_id: str, reps: int) -> int:
    return zlib.crc32(card_id.encode()) + reps


def reference_review(scheduler, card, rating, now, fuzz_seed):
    """py-fsrs itself, with its fuzz drawn from random.Random(fuzz_seed)."""
    saved = fsrs_module.random
    fsrs_module.random = random.Random(fuzz_seed).random
    try:
        return scheduler.review_card(card, fsrs.Rating(int(rating)), review_datetime=now)[0]
    finally:
        fsrs_module.random = saved


def reference_scheduler(options):
    config = options.scheduler
    return fsrs.Scheduler(
        parameters=options.fsrs_parameters or fsrs_module.DEFAULT_PARAMETERS,
        desired_retention=options.desired_retention,
        learning_steps=[timedelta(minutes=m) for m in config.learning_steps],
        relearning_steps=[timedelta(minutes=m) for m in config.relearning_steps],
        maximum_interval=config.maximum_interval,
        enable_fuzzing=config.fuzz,
    )


def assert_same(state, card, where):
    """drill's state is py-fsrs's card: phase, step, stability, difficulty, due, last review."""
    phase = {1: "learning", 2: "review", 3: "relearning"}[int(card.state)]
    assert isinstance(state, FsrsState), where
    assert state.phase == phase, where
    assert state.step == (card.step or 0), where
    assert state.stability == card.stability, where
    assert state.difficulty == card.difficulty, where
    assert state.due == card.due, where
    assert state.last_review == card.last_review, where


# --------------------------------------------------------------------------- options


def test_parameter_bounds_are_the_packages():
    assert tuple(low for low, _ in FSRS_PARAMETER_BOUNDS) == fsrs_module.LOWER_BOUNDS_PARAMETERS
    assert tuple(high for _, high in FSRS_PARAMETER_BOUNDS) == fsrs_module.UPPER_BOUNDS_PARAMETERS


def test_fsrs_options_are_read_and_checked():
    default = [str(p) for p in fsrs_module.DEFAULT_PARAMETERS]
    assert parse_value("scheduler", "fsrs", in_deck=True) == "fsrs"
    assert parse_value("desired_retention", "0.85", in_deck=True) == 0.85
    assert parse_value("fsrs_parameters", default, in_deck=False) == fsrs_module.DEFAULT_PARAMETERS
    assert parse_value("fsrs_parameters", ", ".join(default), in_deck=True) == tuple(
        fsrs_module.DEFAULT_PARAMETERS
    )
    with pytest.raises(OptionError, match="expected one of sm2, fsrs"):
        parse_value("scheduler", "anki", in_deck=True)
    with pytest.raises(OptionError, match=r"outside 0.7..0.99"):
        parse_value("desired_retention", "0.5", in_deck=True)
    with pytest.raises(OptionError, match="expected 21 numbers"):
        parse_value("fsrs_parameters", default[:19], in_deck=True)
    with pytest.raises(OptionError, match="parameter 4 = 20 is outside 1..10"):
        parse_value("fsrs_parameters", [*default[:4], "20", *default[5:]], in_deck=True)
    options = resolver({"scheduler": "fsrs"}, {"Easy": {"desired_retention": 0.8}})
    assert (options("Easy").algorithm, options("Easy").desired_retention) == ("fsrs", 0.8)
    assert (options("Other").algorithm, options("Other").desired_retention) == ("fsrs", 0.9)
    assert resolver({}, {})("Any").algorithm == "sm2"


# --------------------------------------------------------------------------- differential

PRESETS = [
    {"fuzz": False},
    {"fuzz": True},
    {"fuzz": True, "desired_retention": 0.8, "learning_steps": (1.0,), "relearning_steps": ()},
    {"fuzz": True, "desired_retention": 0.95, "maximum_interval": 60},
    {"fuzz": True, "learning_steps": (5.0, 30.0, 1440.0), "relearning_steps": (10.0, 60.0)},
    {"fuzz": False, "parameters": True},
]
ZONES = [UTC, timezone(timedelta(hours=5, minutes=30)), timezone(timedelta(hours=-8))]


def preset_options(preset, rng):
    values = {"scheduler": "fsrs"}
    for name in ("fuzz", "desired_retention", "learning_steps", "relearning_steps"):
        if name in preset:
            values[name] = preset[name]
    if "maximum_interval" in preset:
        values["maximum_interval"] = preset["maximum_interval"]
    if preset.get("parameters"):  # a user's fitted parameters: anywhere inside the bounds
        values["fsrs_parameters"] = [
            round(rng.uniform(low, high), 4) for low, high in FSRS_PARAMETER_BOUNDS
        ]
    options = resolver(values, {})("D")
    return replace(options, scheduler=replace(options.scheduler, tz=UTC))


def next_moment(state, now, rng):
    """When the next answer comes: around the due time, early or late, sometimes same day."""
    if state.phase == "new" or state.due is None:
        return now
    if state.phase == "review":
        offset = timedelta(days=rng.choice([-2, -1, 0, 0, 0, 1, 3, 10]), hours=rng.uniform(-6, 12))
    else:
        offset = timedelta(minutes=rng.choice([0, 0, 1, 30, 600, 3000]))
    return max(now + timedelta(seconds=1), state.due + offset)


def test_fsrs_through_the_store_matches_py_fsrs(tmp_path):
    """Random answer sequences: every state drill stores equals py-fsrs's card for the same
    answers at the same moments, the SM-2 state kept beside it equals SM-2 alone, and a
    replay of the review log (what a switch does) gives the stored state again."""
    rng = random.Random(20261129)
    sequences = 120
    deck = write(
        tmp_path / "d.yaml",
        "deck: D\ncards:\n"
        + "".join(f"  - {{id: c{i}, front: q{i}, back: a{i}}}\n" for i in range(sequences)),
    )
    with Store(tmp_path / "drill.db") as store:
        store.sync([deck], START)
        for n in range(sequences):
            card_id = f"c{n}"
            options = preset_options(PRESETS[n % len(PRESETS)], rng)
            reference = reference_scheduler(options)
            card = fsrs.Card(card_id=1, due=START)
            sm2_alone = CardState()
            now = START + timedelta(hours=rng.uniform(0, 48))
            for i in range(rng.randint(3, 16)):
                before = store.state(card_id)
                now = next_moment(before, now, rng)
                rating = rng.choices(list(Rating), weights=[2, 1, 6, 1])[0]
                shown = now.astimezone(rng.choice(ZONES))  # drill takes any timezone
                after = next_states(before, shown, options, seed=seed(card_id, before.reps))[rating]
                store.record_answer(card_id, before, after, rating, shown)
                card = reference_review(reference, card, rating, now, seed(card_id, i))
                sm2_alone = sm2_answer(sm2_alone, rating, now, options.scheduler, seed(card_id, i))
                stored = store.state(card_id)
                where = f"{card_id} answer {i + 1} ({options})"
                assert_same(stored, card, where)
                assert stored.reps == i + 1, where
                assert stored.sm2 == replace(sm2_alone, leech=False, suspended=False), where
            replayed = fsrs_scheduler.replay(
                card_id, store.reviews(card_ids=[card_id]), options, stored.sm2
            )
            assert replayed == replace(stored, leech=False, suspended=False)


def test_previews_match_py_fsrs_for_each_rating_and_undo_restores_exactly(tmp_path):
    deck = write(tmp_path / "d.yaml", "deck: D\ncards:\n  - {id: a, front: q, back: a}\n")
    options = preset_options({"fuzz": True}, random.Random(1))
    reference = reference_scheduler(options)
    with Store(tmp_path / "drill.db") as store:
        store.sync([deck], START)
        card = fsrs.Card(card_id=1, due=START)
        now = START
        for i, rating in enumerate([Rating.GOOD, Rating.GOOD, Rating.GOOD, Rating.AGAIN]):
            before = store.state("a")
            outcomes = next_states(before, now, options, seed=seed("a", i))
            for each in Rating:
                expected = reference_review(reference, card, each, now, seed("a", i))
                assert_same(outcomes[each], expected, f"answer {i + 1}, {each.name}")
            review_id = store.record_answer("a", before, outcomes[rating], rating, now)
            store.undo(review_id)
            assert store.state("a") == before
            store.record_answer("a", before, outcomes[rating], rating, now)
            card = reference_review(reference, card, rating, now, seed("a", i))
            now = card.due + timedelta(hours=1)
        assert store.state("a").phase == "relearning" and store.state("a").lapses == 1


# --------------------------------------------------------------------------- switching


def log_rows(store):
    return [dict(r) for r in store.conn.execute("SELECT * FROM review_log ORDER BY id")]


def test_switching_sm2_fsrs_sm2_loses_nothing(tmp_path):
    deck = write(
        tmp_path / "d.yaml",
        "deck: D\ncards:\n" + "".join(f"  - {{id: {c}, front: q, back: a}}\n" for c in "abcde"),
    )
    sm2_options = resolver({}, {})
    sm2_options_d = replace(
        sm2_options("D"), scheduler=SchedulerConfig(fuzz=True, tz=UTC)
    )  # the day starts at 04:00 UTC
    fsrs_options_d = replace(sm2_options_d, algorithm="fsrs")

    def on(options):
        return lambda deck_name: options

    with Store(tmp_path / "drill.db") as store:
        store.sync([deck], START)
        now = START
        alone = {c: CardState() for c in "abcde"}  # SM-2 alone, for every answer given

        def answer_all(options, ratings, when):
            for card_id, rating in zip("abcd", ratings, strict=True):
                before = store.state(card_id)
                after = next_states(before, when, options, seed=seed(card_id, before.reps))[rating]
                store.record_answer(card_id, before, after, rating, when)
                alone[card_id] = sm2_answer(
                    alone[card_id],
                    rating,
                    when,
                    sm2_options_d.scheduler,
                    seed(card_id, before.reps),
                )

        # A week of SM-2, a cram answer, and a reset card (c) answered again after it.
        for day, ratings in enumerate([[3, 3, 3, 4], [3, 3, 1, 3], [3, 2, 3, 3], [4, 3, 3, 1]]):
            when = now + timedelta(days=2 * day, minutes=day)
            answer_all(sm2_options_d, [Rating(r) for r in ratings], when)
        cram_before = store.state("b")
        store.record_answer("b", cram_before, cram_before, Rating.AGAIN, now, cram=True)
        store.reset(["c"])
        alone["c"] = CardState()
        when = now + timedelta(days=9)
        before = store.state("c")
        after = next_states(before, when, sm2_options_d, seed=seed("c", 0))[Rating.GOOD]
        store.record_answer("c", before, after, Rating.GOOD, when)
        alone["c"] = sm2_answer(
            CardState(), Rating.GOOD, when, sm2_options_d.scheduler, seed("c", 0)
        )

        sm2_before = {c: store.state(c) for c in "abcde"}
        log_before = log_rows(store)
        assert all(sm2_before[c] == replace(alone[c], leech=False, suspended=False) for c in "abcd")

        # SM-2 -> FSRS: each reviewed card's log replayed through py-fsrs; e stays new.
        assert sync_schedulers(store, on(fsrs_options_d)) == {"D": 4}
        assert sync_schedulers(store, on(fsrs_options_d)) == {}  # nothing left to convert
        reference = reference_scheduler(fsrs_options_d)
        for card_id in "abcd":
            rows = [r for r in log_before if r["card_id"] == card_id and r["review_kind"] != "cram"]
            if card_id == "c":
                rows = rows[-1:]  # only what came after the reset
            card = fsrs.Card(card_id=1, due=START)
            for i, row in enumerate(rows):
                moment = datetime.fromisoformat(row["reviewed_at"])
                card = reference_review(reference, card, row["rating"], moment, seed(card_id, i))
            state = store.state(card_id)
            assert_same(state, card, card_id)
            assert state.sm2 == sm2_before[card_id]  # the SM-2 state is kept as it was
        assert store.state("e") == CardState()
        assert log_rows(store) == log_before  # the review log is never rewritten

        # Two days on FSRS: the SM-2 state is answered alongside.
        for day in (14, 30):
            answer_all(
                fsrs_options_d,
                [Rating.GOOD, Rating.AGAIN, Rating.EASY, Rating.GOOD],
                now + timedelta(days=day),
            )
        on_fsrs = {c: store.state(c) for c in "abcd"}

        # FSRS -> SM-2: the SM-2 state is exactly SM-2's for every answer; log intact.
        assert sync_schedulers(store, on(sm2_options_d)) == {"D": 4}
        for card_id in "abcd":
            state = store.state(card_id)
            assert type(state) is CardState
            assert state == replace(alone[card_id], leech=False, suspended=False), card_id
        log_after = log_rows(store)
        assert log_after[: len(log_before)] == log_before and len(log_after) == len(log_before) + 8
        row = store.conn.execute(
            "SELECT scheduler, stability, sm2_state FROM cards WHERE id = 'a'"
        ).fetchone()
        assert tuple(row) == (None, None, None)

        # And back to FSRS: the replay gives the FSRS states it had.
        sync_schedulers(store, on(fsrs_options_d))
        assert {c: store.state(c) for c in "abcd"} == {
            c: replace(on_fsrs[c], leech=False, suspended=False) for c in "abcd"
        }


# --------------------------------------------------------------------------- the quiz


@pytest.fixture
def env(tmp_path):
    decks = tmp_path / "decks"
    config = write(tmp_path / "config.yaml", f"bundled: false\ndecks: [{decks}]\n")
    write(
        decks / "f.yaml",
        """
        deck: F
        options:
          scheduler: fsrs
          desired_retention: 0.85
          fuzz: false
        cards:
          - {id: a, front: Question A, back: Answer A}
          - {id: b, front: Question B, back: Answer B}
        """,
    )
    import os

    base = {k: v for k, v in os.environ.items() if not k.startswith("DRILL_")}
    return {
        **base,
        "DRILL_CONFIG": str(config),
        "DRILL_DB": str(tmp_path / "drill.db"),
        "DRILL_NOW": START.isoformat(),
        "TZ": "UTC",
        "NO_COLOR": "1",
        "COLUMNS": "100",
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


def drill(env, *args, lines="", now=None, check=True):
    run_env = {**env, **({"DRILL_NOW": now.isoformat()} if now else {})}
    return subprocess.run(
        [sys.executable, "-m", "drill", *args],
        env=run_env,
        input=lines,
        text=True,
        capture_output=True,
        check=check,
    )


def stored(env, card_id):
    from drill.storage.records import state_of as state_from_row

    conn = sqlite3.connect(env["DRILL_DB"])
    conn.row_factory = sqlite3.Row
    try:
        return state_from_row(
            conn.execute("SELECT * FROM cards WHERE id = ?", (card_id,)).fetchone()
        )
    finally:
        conn.close()


def test_quiz_through_a_pipe_schedules_with_fsrs(env):
    options = replace(
        resolver({"scheduler": "fsrs", "desired_retention": 0.85, "fuzz": False}, {})("F"),
    )
    reference = reference_scheduler(options)
    # a: Good, Good (graduates); b: Easy.
    out = drill(env, "quiz", lines="\n3\n\n4\n\n3\n").stdout
    a = reference_review(reference, fsrs.Card(card_id=1, due=START), 3, START, 0)
    b = reference_review(reference, fsrs.Card(card_id=2, due=START), 4, START, 0)
    a_preview = {r: reference_review(reference, a, r, START, 0) for r in (3, 4)}
    a = a_preview[3]
    # The buttons show FSRS's intervals (Easy on a new card: py-fsrs's first stability).
    b_days = (b.due - START).days
    assert f"4 Easy {b_days}d" in out
    assert f"3 Good {(a.due - START).days}d   4 Easy {(a_preview[4].due - START).days}d" in out
    assert_same(stored(env, "a"), a, "a")
    assert_same(stored(env, "b"), b, "b")
    assert stored(env, "b").sm2.phase == "review"  # SM-2 answered alongside

    # On b's due day both are due (a first): a Good, and an Again for b (a lapse) that
    # takes it to relearning, as py-fsrs says.
    day = b.due + timedelta(hours=2)
    assert a.due < b.due
    out = drill(env, "quiz", lines="\n3\n\n1\n", now=day).stdout
    assert "review 2" in out and out.index("Question A") < out.index("Question B")
    a = reference_review(reference, a, 3, day, 0)
    b = reference_review(reference, b, 1, day, 0)
    assert_same(stored(env, "a"), a, "a on review")
    assert_same(stored(env, "b"), b, "b after a lapse")
    assert stored(env, "b").lapses == 1

    later = day + timedelta(days=3)
    stats = json.loads(drill(env, "stats", "--json", now=later).stdout)
    scheduler = reference_scheduler(options)
    recall = [scheduler.get_card_retrievability(c, later) for c in (a, b)]  # relearning counts
    assert 0 < min(recall) < max(recall) < 1
    assert stats["retrievability"] == {"average": round(sum(recall) / 2, 4), "cards": 2}
    assert "Predicted retrievability (FSRS)" in drill(env, "stats", now=later).stdout

    # Back to SM-2 in the deck file: the next quiz puts the cards back on SM-2.
    deck_file = Path(env["DRILL_CONFIG"]).parent / "decks" / "f.yaml"
    deck_file.write_text(deck_file.read_text().replace("scheduler: fsrs", "scheduler: sm2"))
    drill(env, "quiz", lines="q\n", now=day)
    assert type(stored(env, "b")) is CardState and stored(env, "b").lapses == 1


def test_due_and_help_do_not_import_fsrs(env):
    drill(env, "quiz", lines="\n3\n\n3\n")  # cards on FSRS in the store
    probe = (
        "import sys\n"
        "sys.argv = ['drill'] + sys.argv[1:]\n"
        "from drill.entry import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print('fsrs' in sys.modules)\n"
    )
    for args in (["due"], ["--help"], []):
        out = subprocess.run(
            [sys.executable, "-c", probe, *args],
            env=env,
            text=True,
            capture_output=True,
            check=True,
        ).stdout
        assert out.strip().endswith("False"), (args, out)


# --------------------------------------------------------------------------- migration


def test_a_v1_database_upgrades_to_the_current_schema(tmp_path, monkeypatch):
    import drill.storage.store as store_module

    deck = write(tmp_path / "d.yaml", "deck: D\ncards:\n  - {id: a, front: q, back: a}\n")
    path = tmp_path / "drill.db"
    v2 = store_module.MIGRATIONS
    with monkeypatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", v2[:1])
        patch.setattr(store_module, "SCHEMA_VERSION", 1)
        patch.setattr(store_module, "CURRENT_SCHEMA", [])
        with Store(path) as old:
            # The card as drill 1 synced it (its columns only).
            old.conn.execute(
                "INSERT INTO cards (id, note_id, deck, kind, front, back, tags, path, line, "
                "position, ordinal, content_hash) VALUES ('a', 'a', 'D', 'basic', 'q', 'a', "
                "'[]', ?, 3, 1, 0, 'x')",
                (str(deck.resolve()),),
            )
            assert old.version == 1
            assert "stability" not in sqlite_utils.Database(old.conn)["cards"].columns_dict
            # An answer as drill 1 wrote it (its record_answer knew only these columns).
            after = sm2_answer(CardState(), 3, START, SchedulerConfig(fuzz=False, tz=UTC))
            old.conn.execute(
                "UPDATE cards SET phase = ?, step = ?, reps = 1, due = ?, last_review = ? "
                "WHERE id = 'a'",
                (after.phase, after.step, after.due.isoformat(), START.isoformat()),
            )
            old.conn.execute(
                "INSERT INTO review_log (card_id, reviewed_at, rating, review_kind, "
                "phase_before, phase_after, state_before) VALUES ('a', ?, 3, 'learn', 'new', ?, "
                "'{}')",
                (START.isoformat(), after.phase),
            )
    with Store(path) as upgraded:
        assert upgraded.version == store_module.SCHEMA_VERSION
        columns = sqlite_utils.Database(upgraded.conn)["cards"].columns_dict
        assert {"scheduler", "stability", "difficulty", "sm2_state"} <= set(columns)
        card = upgraded.card("a")
        assert (card.scheduler, card.stability, card.difficulty) == ("sm2", None, None)
        state = upgraded.state("a")
        assert type(state) is CardState and (state.phase, state.reps) == ("learning", 1)
        # The upgraded file takes FSRS answers.
        options = resolver({"scheduler": "fsrs"}, {})("D")
        assert sync_schedulers(upgraded, lambda name: options) == {"D": 1}
        assert isinstance(upgraded.state("a"), FsrsState)
    backup = sqlite3.connect(tmp_path / "drill.db.backup-v1")
    assert backup.execute("PRAGMA user_version").fetchone()[0] == 1
    assert backup.execute("SELECT count(*) FROM review_log").fetchone()[0] == 1
    backup.close()


# --------------------------------------------------------------------------- optimize


def test_optimize_with_too_few_reviews_says_so(env):
    drill(env, "quiz", lines="\n3\n\n3\n\n3\n")
    result = drill(env, "optimize", check=False)
    assert result.returncode == 1
    assert "drill: not enough reviews to fit FSRS parameters: 0 of 3 answers count" in (
        result.stderr
    )
    assert "at least 512 are needed" in result.stderr
    result = drill(env, "optimize", "--deck", "Nope", check=False)
    assert (result.returncode, result.stderr.strip()) == (
        2,
        "drill: no deck named 'Nope'; top-level decks: F",
    )


def test_optimize_counts_reviews_as_py_fsrs_does_and_needs_torch(monkeypatch):
    from types import SimpleNamespace as Review

    rows = []
    for n, card_id in enumerate(["x", "y"]):
        for i, days in enumerate([0, 0, 1, 3, 3, 9]):
            rows.append(
                Review(
                    card_id=card_id,
                    reviewed_at=START + timedelta(days=days, minutes=i + n),
                    rating=3,
                    kind="learn" if i < 2 else "review",
                    phase_before="new" if i == 0 else "review",
                    answer_ms=1000,
                )
            )
    rows.append(
        Review(**{**vars(rows[-1]), "kind": "cram", "reviewed_at": START.replace(year=2027)})
    )
    count, histories = fsrs_scheduler.countable_reviews(rows)
    assert count == 6 and [len(h) for h in histories.values()] == [6, 6]
    try:
        import torch  # noqa: F401
    except ImportError:
        with pytest.raises(fsrs_scheduler.OptimizeError, match=r'pip install "fsrs\[optimizer\]"'):
            fsrs_scheduler.optimize(rows, minimum=6)


def test_optimize_hands_py_fsrs_the_log_and_prints_options_that_parse(env, monkeypatch, cli):
    """With fakes for the optimizer's dependencies: what py-fsrs's Optimizer gets, and a
    printed `fsrs_parameters:` line that drill reads back as the same parameters."""
    import types

    drill(env, "quiz", lines="\n3\n\n3\n\n3\n")
    drill(env, "quiz", lines="\n3\n\n3\n", now=START + timedelta(days=20))
    given = []

    class FakeOptimizer:
        def __init__(self, logs):
            given.extend(logs)

        def compute_optimal_parameters(self):
            return [p + 0.00001 for p in fsrs_module.DEFAULT_PARAMETERS]

    fakes = {name: types.ModuleType(name) for name in ("torch", "pandas", "tqdm")}
    fakes["fsrs.optimizer"] = types.SimpleNamespace(Optimizer=FakeOptimizer)
    for name, module in fakes.items():
        monkeypatch.setitem(sys.modules, name, module)
    monkeypatch.setattr(fsrs_scheduler, "MIN_REVIEWS", 2)
    for name in ("DRILL_CONFIG", "DRILL_DB", "DRILL_NOW", "XDG_CACHE_HOME", "TZ"):
        monkeypatch.setenv(name, env[name])
    result = cli("optimize", "--deck", "F")
    assert result.exit_code == 0, result.output
    assert "Fitted FSRS parameters to 2 reviews of F." in result.output
    assert len(given) == 5 and {log.card_id for log in given} == {0, 1}
    assert all(log.review_datetime.tzinfo == UTC for log in given)
    assert [int(log.rating) for log in given] == [3, 3, 3, 3, 3]
    line = next(x for x in result.output.splitlines() if "fsrs_parameters:" in x)
    printed = line.split(":", 1)[1].strip().strip("[]").split(", ")
    assert parse_value("fsrs_parameters", printed, in_deck=True) == fsrs_module.DEFAULT_PARAMETERS


def test_due_sees_the_fsrs_schedule_before_any_quiz_and_reads_change_nothing(env):
    """After `scheduler: fsrs` is set, `drill due` counts what the quiz will show, and it is
    the same number before and after a quiz that is quit at once."""
    deck_file = Path(env["DRILL_CONFIG"]).parent / "decks" / "f.yaml"
    deck_file.write_text(deck_file.read_text().replace("scheduler: fsrs", "scheduler: sm2"))
    drill(env, "quiz", lines="\n4\nq\n")  # a: Easy
    assert stored(env, "a").phase == "review" and stored(env, "a").interval_days == 4
    later = START + timedelta(days=5)
    sm2_due = json.loads(drill(env, "due", "--json", now=later).stdout)["total"]
    assert sm2_due["review"] == 1  # SM-2: four days, so due by day five

    deck_file.write_text(deck_file.read_text().replace("scheduler: sm2", "scheduler: fsrs"))
    before = json.loads(drill(env, "due", "--json", now=later).stdout)["total"]
    drill(env, "quiz", lines="q\n", now=later)
    after = json.loads(drill(env, "due", "--json", now=later).stdout)["total"]
    assert before == after
    # FSRS's first interval after Easy is py-fsrs's Easy stability: longer than five days.
    assert type(stored(env, "a")).__name__ == "FsrsState"
    assert stored(env, "a").due > later + timedelta(days=1)
    assert after["review"] == 0
