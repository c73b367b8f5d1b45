"""`drill build --with-progress`: each card's schedule and review log, proven with Anki.

A month of reviews is simulated with drill's own scheduler and store (real times: Anki
refuses review-log ids in the future and schedules by the real clock), leaving cards new,
learning (intraday and interday), in review (on time, overdue, due later), relearning,
suspended and a leech. The package is imported with Anki's "Import any learning progress"
and every card must be where drill has it: type, queue, due, interval, ease, reps, lapses,
steps left, review log; and Anki's own next states (`get_scheduling_states`) must agree
with drill's `preview`. The day boundary is moved 12 hours away from now on both sides
(anki-import.md: "Two traps").
"""

from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

import private
from drill.anki import package as export
from drill.scheduler import (
    CardState,
    Rating,
    SchedulerConfig,
    answer,
    day_start,
    days_between,
    format_interval,
    fuzz_range,
    is_due,
    preview,
)
from drill.storage import Store

anki_collection = pytest.importorskip("anki.collection")

DECK = {
    "deck": "Progress::Month",
    "cards": [
        *({"id": f"b{i}", "front": f"Question {i}?", "back": f"Answer {i}"} for i in range(15)),
        *(
            {"id": f"r{i}", "kind": "reverse", "front": f"Term {i}", "back": f"Meaning {i}"}
            for i in range(4)
        ),
        {"id": "z1", "kind": "cloze", "text": "{{c1::A}} then {{c2::B}} then {{c3::C}}"},
        {"id": "z2", "kind": "cloze", "text": "{{c1::One}} and {{c2::two}}"},
    ],
}
# Cards kept out of the month's sessions, for the states it must end in.
SPECIAL = {"b10", "b11", "b12", "b13", "b14"}  # b14 stays new
WEIGHTS = (12, 10, 63, 15)  # Again, Hard, Good, Easy
ANKI_RATING = {Rating.AGAIN: "again", Rating.HARD: "hard", Rating.GOOD: "good", Rating.EASY: "easy"}


@dataclass
class Month:
    """The simulated month: the store, the packages built from it, the clock it ran on."""

    db: Path
    deck_dir: Path
    now: datetime
    config: SchedulerConfig
    packages: list[Path]
    output: str


def seed(card_id: str, state: CardState) -> int:
    return zlib.crc32(card_id.encode("utf-8")) + state.reps


def review(store: Store, card_id: str, rating: int, when: datetime, config, **kw) -> CardState:
    before = store.state(card_id)
    after = answer(before, rating, when, config, seed(card_id, before))
    store.record_answer(card_id, before, after, rating, when, answer_ms=4200 + rating, **kw)
    return after


def session(store: Store, ids: list[str], start: datetime, config, rng: random.Random) -> None:
    """One day's study: due cards, three new ones, learning steps until none is left within
    the hour (steps that end after the day's cutoff wait for another day)."""
    t, new_left = start, 3
    while t < start + timedelta(hours=1):
        states = {cid: store.state(cid) for cid in ids}
        ready = [cid for cid, s in states.items() if s.phase != "new" and is_due(s, t, config)]
        if new_left:
            fresh = [cid for cid, s in states.items() if s.phase == "new"][:new_left]
            new_left -= len(fresh)
            ready += fresh
        if not ready:
            steps = [
                s.due
                for s in states.values()
                if s.phase in ("learning", "relearning") and not s.interday and s.due
            ]
            if not steps:
                return
            t = max(t, min(steps) - timedelta(minutes=config.learn_ahead_minutes)) + timedelta(
                seconds=1
            )
            continue
        for cid in ready:
            review(store, cid, rng.choices(range(1, 5), WEIGHTS)[0], t, config)
            t += timedelta(seconds=9)


def simulate(tmp_path: Path) -> Month:
    now = datetime.now(UTC).replace(microsecond=0)
    rollover = (datetime.now().hour + 12) % 24
    config = SchedulerConfig(rollover_hour=rollover)  # local time zone, fuzz on
    deck_dir = tmp_path / "decks"
    deck_dir.mkdir()
    (deck_dir / "month.yaml").write_text(yaml.safe_dump(DECK, sort_keys=False), encoding="utf-8")
    files = sorted(deck_dir.glob("*.yaml"))
    db = tmp_path / "drill.db"
    rng = random.Random(20261129)
    with Store(db) as store:
        store.sync(files, now - timedelta(days=31))
        ids = [r["id"] for r in store.conn.execute("SELECT id FROM cards ORDER BY rowid")]
        month = [cid for cid in ids if cid.split("/")[0] not in SPECIAL]
        for days_ago in range(30, 5, -1):  # the last five days skipped: overdue reviews
            session(store, month, now - timedelta(days=days_ago), config, rng)
        states = {cid: store.state(cid) for cid in month}
        reviews = [cid for cid, s in states.items() if s.phase == "review"]
        overdue = [cid for cid in reviews if states[cid].due <= now]
        assert len(overdue) >= 3 and len(reviews) > len(overdue)
        # A step that ends after yesterday's cutoff: interday learning, due today.
        review(store, "b10", Rating.GOOD, day_start(now, config) - timedelta(minutes=5), config)
        review(store, "b11", Rating.AGAIN, now - timedelta(minutes=3), config)  # due now
        review(store, "b12", Rating.GOOD, now - timedelta(minutes=3), config)  # due in 7m
        review(store, overdue[0], Rating.AGAIN, now - timedelta(minutes=2), config)  # lapse
        review(store, overdue[1], Rating.GOOD, now - timedelta(minutes=1), config, cram=True)
        store.set_flags([overdue[2]], suspended=1)
        store.set_flags(["b13"], suspended=1)  # new and suspended
        store.set_flags([reviews[-1]], leech=1)
        phases = {store.state(cid).phase for cid in ids}
        assert phases == {"new", "learning", "review", "relearning"}
        assert store.state("b10").interday and store.state("b10").due <= now

    from drill.services.build import BuildRequest, build

    settings = private.settings(tmp_path, deck_dir, {"next_day_starts_at": rollover})
    out = tmp_path / "build"
    report = build(settings, now, BuildRequest(paths=[deck_dir], out=out, with_progress=True))
    return Month(db, deck_dir, now, config, [w.path for w in report.written], repr(report))


@pytest.fixture(scope="module")
def month(tmp_path_factory) -> Month:
    return simulate(tmp_path_factory.mktemp("month"))


def open_collection(path: Path, rollover: int):
    path.parent.mkdir(parents=True, exist_ok=True)
    col = anki_collection.Collection(str(path))
    prefs = col.get_preferences()
    prefs.scheduling.rollover = rollover
    col.set_preferences(prefs)
    col.load_balancer_enabled = False
    return col


def import_package(col, package: Path, with_scheduling: bool) -> None:
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(package),
        options=anki_collection.ImportAnkiPackageOptions(
            merge_notetypes=True, with_scheduling=with_scheduling, with_deck_configs=False
        ),
    )
    log = col.import_anki_package(request).log
    assert len(log.new) == log.found_notes


def anki_cards(col) -> dict[str, object]:
    """Anki's cards by drill card id (the note's Id field and the template's suffix)."""
    found = {}
    for nid in col.find_notes(""):
        note = col.get_note(nid)
        kind = note.note_type()["name"].removeprefix("drill: ")
        for card in note.cards():
            suffix = export.NOTE_TYPES[kind].suffix(card.ord)
            found[f"{note['Id']}/{suffix}" if suffix else note["Id"]] = card
    return found


@pytest.fixture(scope="module")
def imported(month, tmp_path_factory):
    path = tmp_path_factory.mktemp("anki") / "collection.anki2"
    col = open_collection(path, month.config.rollover_hour)
    for package in month.packages:
        import_package(col, package, with_scheduling=True)
    yield col
    col.close()


def store_view(db: Path):
    with Store(db) as store:
        cards = store.card_progress()
        history = {cid: [r.as_dict() for r in store.history(cid)] for cid in cards}
    return cards, history


# --------------------------------------------------------------------------- cards


def test_every_card_lands_where_drill_has_it(month, imported):
    col = imported
    cards, _ = store_view(month.db)
    by_id = anki_cards(col)
    assert set(by_id) == set(cards)
    today = col.sched.today
    config = month.config
    seen = set()
    for cid, (state, suspended, _leech) in cards.items():
        card = by_id[cid]
        expected_type = {"new": 0, "learning": 1, "review": 2, "relearning": 3}[state.phase]
        assert card.type == expected_type, cid
        assert (card.reps, card.lapses) == (state.reps, state.lapses), cid
        if state.phase == "new":
            assert card.queue == (-1 if suspended else 0), cid
            seen.add("new suspended" if suspended else "new")
            continue
        if state.phase == "review":
            queue, due = 2, today + days_between(month.now, state.due, config)
            assert (card.ivl, card.left) == (state.interval_days, 0), cid
            seen.add("overdue" if state.due < day_start(month.now, config) else "review")
        else:
            steps = config.learning_steps if state.phase == "learning" else config.relearning_steps
            assert card.left == len(steps) - state.step, cid
            assert card.ivl == (state.interval_days if state.phase == "relearning" else 0), cid
            if state.interday:
                queue, due = 3, today + days_between(month.now, state.due, config)
                seen.add("interday")
            else:
                queue, due = 1, int(state.due.timestamp())
                seen.add(state.phase)
        if state.phase in ("review", "relearning"):
            assert card.factor == round(state.ease * 1000), cid
        else:
            assert card.factor == 0, cid  # as Anki keeps a card that has not graduated
        if suspended:
            queue = -1
            seen.add("suspended")
        assert (card.queue, card.due) == (queue, due), cid
    assert seen >= {
        "new",
        "new suspended",
        "learning",
        "interday",
        "review",
        "overdue",
        "relearning",
        "suspended",
    }


def test_the_review_log_arrives(month, imported):
    col = imported
    cards, history = store_view(month.db)
    by_id = anki_cards(col)
    total = 0
    for cid, rows in history.items():
        anki_rows = col.db.all(
            "SELECT id, ease, ivl, factor, time, type FROM revlog WHERE cid = ? ORDER BY id",
            by_id[cid].id,
        )
        assert len(anki_rows) == len(rows), cid
        total += len(rows)
        for logged, (rid, ease, ivl, factor, taken, kind) in zip(rows, anki_rows, strict=True):
            reviewed = datetime.fromisoformat(logged["reviewed_at"])
            # epoch ms; a review at the same moment as another one moves up a millisecond
            assert 0 <= rid - int(reviewed.timestamp() * 1000) < 10
            assert ease == logged["rating"] and taken == logged["answer_ms"]
            assert kind == {"learn": 0, "review": 1, "relearn": 2, "cram": 3}[logged["review_kind"]]
            if logged["review_kind"] == "cram":
                continue
            if logged["phase_after"] == "review":
                assert ivl == logged["interval_after"] and factor == round(
                    logged["ease_after"] * 1000
                )
            elif logged["phase_after"] == "learning":
                assert factor == 0
                due = datetime.fromisoformat(logged["due_after"])
                if ivl > 0:  # a step that ended after the day's cutoff: counted in days
                    assert due == day_start(due, month.config)
                    assert ivl == days_between(reviewed, due, month.config)
                else:  # the step, before Anki's (and drill's) fuzz
                    assert -ivl <= (due - reviewed).total_seconds() < -ivl * 1.25 + 1
    assert total == col.db.scalar("SELECT count() FROM revlog") > 100
    assert col.db.scalar("SELECT count() FROM revlog WHERE type = 3") == 1


def test_leech_tag_and_report(month, imported):
    cards, _ = store_view(month.db)
    leeches = {cid.split("/")[0] for cid, (_s, _susp, leech) in cards.items() if leech}
    col = imported
    tagged = {col.get_note(nid)["Id"] for nid in col.find_notes("tag:leech")}
    assert tagged == leeches and len(leeches) == 1
    assert "scheduled=" in month.output and "reviews=" in month.output


# --------------------------------------------------------------------------- next states


def bounds(days: float) -> tuple[int, int]:
    return fuzz_range(days) if days >= 2.5 else (round(days), round(days))


def chained_upper(values: list[float]) -> list[int]:
    """Upper fuzz bounds of Hard, Good, Easy with Anki's chained minimums (anki-import.md)."""
    uppers, floor = [], 0
    for value in values:
        upper = bounds(max(value, floor))[1]
        uppers.append(upper)
        floor = upper + 1
    return uppers


def test_anki_next_states_agree_with_drill_preview(month, imported):
    """For every card not suspended, Anki's four outcomes are drill's: steps and ease exactly,
    review intervals inside the fuzz ranges of drill's unfuzzed ones; labels alike where
    nothing is fuzzed."""
    from dataclasses import replace

    col = imported
    cards, _ = store_view(month.db)
    by_id = anki_cards(col)
    config = replace(month.config, fuzz=False)
    now = datetime.now(UTC)
    compared = {"learning": 0, "review": 0, "relearning": 0}
    for cid, (state, suspended, _leech) in cards.items():
        if suspended or state.phase == "new":
            continue
        card = by_id[cid]
        states = col._backend.get_scheduling_states(card.id)
        current = states.current.normal
        if state.phase == "review":
            late = -days_between(now, state.due, config)
            assert current.review.scheduled_days == state.interval_days, cid
            assert round(current.review.ease_factor * 1000) == round(state.ease * 1000), cid
            assert current.review.elapsed_days == state.interval_days + max(late, 0), cid
            if late < 0:
                # Not due yet: Anki's next states (outside filtered decks) are those of an
                # answer on the due day, as a quiz would give it then.
                state = replace(state, due=day_start(now, config))
        ours = preview(state, now, config)
        # Anki wraps the numbers of its labels in Unicode isolates (U+2068, U+2069).
        labels = [re.sub("[\u2068\u2069]", "", x) for x in col.sched.describe_next_states(states)]
        review_days = []
        for index, rating in enumerate(Rating):
            theirs = getattr(states, ANKI_RATING[rating]).normal
            outcome = ours[rating]
            which = theirs.WhichOneof("kind")
            assert which == outcome.phase, (cid, rating)
            if outcome.phase == "review":
                got = theirs.review
                assert round(got.ease_factor * 1000) == round(outcome.ease * 1000), (cid, rating)
                assert got.lapses == outcome.lapses, (cid, rating)
                if state.phase == "review" and rating != Rating.AGAIN:
                    review_days.append((outcome.interval_days, got.scheduled_days))
                    continue
                low, high = bounds(outcome.interval_days)
                assert low <= got.scheduled_days <= high, (cid, rating)
                if low == high:
                    assert labels[index] == format_interval(outcome, now, config), (cid, rating)
            else:
                steps = theirs.learning if which == "learning" else theirs.relearning.learning
                assert steps.scheduled_secs == outcome.scheduled_secs, (cid, rating)
                table = config.learning_steps if which == "learning" else config.relearning_steps
                assert steps.remaining_steps == len(table) - outcome.step, (cid, rating)
                if which == "relearning":
                    review = theirs.relearning.review
                    assert review.scheduled_days == outcome.interval_days, (cid, rating)
                    assert round(review.ease_factor * 1000) == round(outcome.ease * 1000)
                assert labels[index] == format_interval(outcome, now, config), (cid, rating)
        if review_days:
            uppers = chained_upper([days for days, _ in review_days])
            for (days, got), upper in zip(review_days, uppers, strict=True):
                assert bounds(days)[0] - 1 <= got <= upper + 1, (cid, review_days)
        compared[state.phase] += 1
    assert all(compared.values()), compared


# --------------------------------------------------------------------------- without it


def test_without_progress_cards_arrive_new(month, cli, tmp_path):
    """`drill build` without --with-progress writes what it always wrote: every card new, no
    review log, no leech tag; and a package with progress imported without "Import any
    learning progress" arrives new too (Anki resets it)."""
    out = tmp_path / "plain"
    result = cli(
        "build",
        month.deck_dir,
        "--out",
        out,
        "--db",
        month.db,
        env={"DRILL_NOW": month.now.isoformat()},
    )
    assert result.exit_code == 0, result.output
    assert "cards scheduled" not in result.stdout
    plain = sorted(out.glob("*.apkg"))
    for packages, with_scheduling in ((plain, True), (month.packages, False)):
        col = open_collection(tmp_path / f"anki-{with_scheduling}" / "c.anki2", 4)
        try:
            for package in packages:
                import_package(col, package, with_scheduling)
            assert col.card_count() == 28
            assert col.db.list("SELECT DISTINCT type || ',' || queue FROM cards") == ["0,0"]
            assert col.db.scalar("SELECT count() FROM revlog") == 0
            assert not col.find_notes("tag:leech")
        finally:
            col.close()


def test_cli_with_progress(month, cli, tmp_path, monkeypatch):
    config = tmp_path / "config.yaml"
    config.write_text(
        f"bundled: false\noptions:\n  next_day_starts_at: {month.config.rollover_hour}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("DRILL_CONFIG", str(config))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    out = tmp_path / "cli"
    result = cli(
        "build",
        month.deck_dir,
        "--out",
        out,
        "--db",
        month.db,
        "--with-progress",
        env={"DRILL_NOW": month.now.isoformat()},
    )
    assert result.exit_code == 0, result.output
    match = re.search(r"progress: (\d+) cards scheduled, (\d+) reviews", result.stdout)
    cards, history = store_view(month.db)
    scheduled = sum(1 for s, susp, _ in cards.values() if s.phase != "new" or susp)
    assert match and int(match[1]) == scheduled
    assert int(match[2]) == sum(len(rows) for rows in history.values())
    assert "Import any learning progress" in result.stdout
    [package] = sorted(out.glob("*.apkg"))
    assert package.read_bytes() and package.name == "progress.apkg"


def test_review_ids_are_unique_across_the_packages_of_one_build(cli, tmp_path, monkeypatch):
    """Anki keeps one revlog row per id: reviews at the same moment in two top-level decks
    (two packages) must not share an id, or Anki drops one of them."""
    decks = tmp_path / "decks"
    decks.mkdir()
    for name in ("A", "B"):
        (decks / f"{name}.yaml").write_text(
            f"deck: {name}\ncards:\n"
            + "".join(f"  - {{id: {name.lower()}{i}, front: q{i}, back: a{i}}}\n" for i in range(3))
        )
    now = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
    db = tmp_path / "drill.db"
    config = SchedulerConfig(fuzz=False)
    with Store(db) as store:
        store.sync(sorted(decks.glob("*.yaml")), now)
        for card_id in ("a0", "a1", "a2", "b0", "b1", "b2"):
            review(store, card_id, Rating.GOOD, now, config)  # all at one moment
    monkeypatch.setenv("DRILL_NOW", now.isoformat())
    result = cli("build", decks, "--out", tmp_path / "out", "--db", db, "--with-progress")
    assert result.exit_code == 0, result.output
    packages = sorted((tmp_path / "out").glob("*.apkg"))
    assert [p.name for p in packages] == ["a.apkg", "b.apkg"]
    col = open_collection(tmp_path / "anki" / "collection.anki2", config.rollover_hour)
    try:
        for package in packages:
            import_package(col, package, with_scheduling=True)
        assert col.db.scalar("SELECT count(*) FROM revlog") == 6
    finally:
        col.close()
