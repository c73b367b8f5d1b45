"""`drill pull FILE`: reviews done in Anki come into drill's review log, and each card's
schedule follows, with Anki's own due dates.

The phone is a collection of Anki's backend (tests/anki_phone.py): it imports `drill
build`'s package, studies a month with Anki's scheduler, and exports its collection (.colpkg,
.apkg with scheduling, the bare collection file). After `drill pull`, every card is where
Anki has it: phase, due day, interval, ease, step, counts, flags, and its answers in drill's
log (marked as done in Anki). A second pull changes nothing."""

from __future__ import annotations

import random
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from anki_phone import (
    PHASES,
    anki_collection,
    answer,
    assert_same_as_anki,
    drill_card_ids,
    import_package,
    new_per_day,
    next_day,
    open_collection,
    rollover_hour,
    study,
)
from drill.fsrs_scheduler import card_seed
from drill.scheduler import CardState, Rating, SchedulerConfig
from drill.scheduler import answer as drill_answer
from drill.services.history import pull_file
from drill.services.settings import resolve
from drill.storage import Store

DECK = {
    "deck": "Pull::Month",
    "cards": [
        *({"id": f"b{i}", "front": f"Question {i}?", "back": f"Answer {i}"} for i in range(24)),
        *(
            {"id": f"r{i}", "kind": "reverse", "front": f"Term {i}", "back": f"Meaning {i}"}
            for i in range(3)
        ),
        {"id": "z1", "kind": "cloze", "text": "{{c1::A}} then {{c2::B}}"},
    ],
}


class Drill:
    """drill's side: a deck folder, a config (the phone's day boundary), a database."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch, rollover: int):
        self.root = root
        self.decks = root / "decks"
        self.decks.mkdir(parents=True)
        (self.decks / "month.yaml").write_text(yaml.safe_dump(DECK, sort_keys=False), "utf-8")
        self.db = root / "drill.db"
        config = root / "config.yaml"
        config.write_text(
            f"bundled: false\ndecks: [{self.decks}]\ndb: {self.db}\n"
            f"options:\n  next_day_starts_at: {rollover}\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("DRILL_CONFIG", str(config))
        self.rollover = rollover

    @property
    def settings(self):
        return resolve()

    def config(self) -> SchedulerConfig:
        return SchedulerConfig(rollover_hour=self.rollover)

    def dump(self) -> tuple[list, list]:
        conn = sqlite3.connect(self.db)
        try:
            cards = conn.execute("SELECT * FROM cards ORDER BY id").fetchall()
            log = conn.execute("SELECT * FROM review_log ORDER BY id").fetchall()
        finally:
            conn.close()
        return cards, log


@pytest.fixture
def drill(tmp_path, monkeypatch):
    return Drill(tmp_path / "drill", monkeypatch, rollover_hour())


def build(cli, drill: Drill, out: Path, *args: str) -> Path:
    result = cli("build", "--out", out, *args)
    assert result.exit_code == 0, result.output
    [package] = sorted(out.glob("*.apkg"))
    return package


@pytest.fixture
def phone(tmp_path, drill, cli):
    """The phone: drill's deck imported, then a month of study with Anki's scheduler,
    ending with cards in every state."""
    package = build(cli, drill, tmp_path / "build")
    col = open_collection(tmp_path / "phone" / "collection.anki2", drill.rollover)
    log = import_package(col, package)
    assert len(log.new) == log.found_notes == len(DECK["cards"])
    new_per_day(col, 1)  # cards keep coming all month; a few are still new at its end
    rng = random.Random(20261202)
    for _day in range(30):
        study(col, rng, limit=80)
        col = next_day(col)
    # The last day: some reviews, a lapse (relearning), new cards left in learning steps.
    ids = drill_card_ids(col)
    reviews = [c for c in ids.values() if col.get_card(c).type == 2]
    assert len(reviews) >= 5
    col.sched.suspend_cards([reviews[0]])
    due_today = col.sched.getCard()
    while due_today is not None and due_today.type == 2:
        answer(col, due_today, Rating.AGAIN if due_today.id == reviews[1] else Rating.GOOD)
        due_today = col.sched.getCard()
    lapsed = col.get_card(reviews[1])
    if lapsed.type == 2:  # not due today: make it a lapse all the same
        lapsed.due = col.sched.today
        col.update_card(lapsed)
        answer(col, col.get_card(reviews[1]), Rating.AGAIN)
    new = [c for c in ids.values() if col.get_card(c).type == 0]
    for cid in new[:1]:
        answer(col, col.get_card(cid), Rating.AGAIN)
    yield col
    col.close()


def export(col, where: Path, how: str) -> Path:
    where.mkdir(parents=True, exist_ok=True)
    if how == "apkg":
        out = where / "phone.apkg"
        col.export_anki_package(
            out_path=str(out),
            options=anki_collection.ExportAnkiPackageOptions(
                with_scheduling=True, with_media=False
            ),
            limit=None,
        )
        return out
    if how == "colpkg":
        out = where / "phone.colpkg"
        col.export_collection_package(str(out), include_media=False, legacy=False)
        col.reopen()
        return out
    out = where / "collection.anki2"  # a consistent copy of the open collection
    source, target = sqlite3.connect(col.path), sqlite3.connect(out)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return out


@pytest.mark.parametrize("how", ["colpkg", "apkg", "collection"])
def test_pulled_cards_have_anki_due_dates(phone, drill, tmp_path, how):
    path = export(phone, tmp_path / "export", how)
    now = datetime.now(UTC)
    report = pull_file(drill.settings, path, now=now)
    assert report.notes == len(DECK["cards"]) and report.cards == 24 + 6 + 2
    assert report.received == report.reviews_in_file > 100
    assert not report.replayed
    phases = {PHASES[phone.get_card(c).type] for c in drill_card_ids(phone).values()}
    assert phases == {"new", "learning", "review", "relearning"}
    assert (
        assert_same_as_anki(phone, drill.db, drill.config(), now, origins=("anki",))
        == report.received
    )
    before = drill.dump()
    again = pull_file(drill.settings, path, now=now + timedelta(minutes=1))
    assert not again.changed and again.received == 0
    assert drill.dump() == before  # the second pull changes nothing


def test_cli_pull_and_where_reviews_were_done(phone, drill, tmp_path, cli):
    path = export(phone, tmp_path / "export", "colpkg")
    result = cli("pull", path)
    assert result.exit_code == 0, result.output
    assert "reviews brought in" in result.stdout
    again = cli("pull", path)
    assert "nothing new" in again.stdout
    reviewed = next(cid for cid, c in drill_card_ids(phone).items() if phone.get_card(c).reps >= 3)
    shown = cli("card", "show", reviewed).stdout
    assert f"History ({phone.get_card(drill_card_ids(phone)[reviewed]).reps} in Anki)" in shown
    assert "  Anki   " in shown
    stats = cli("stats").stdout
    assert "Reviews done in drill: 0 · in Anki:" in stats


def test_pull_needs_no_anki_package(phone, drill, tmp_path):
    """The reader needs only sqlite3 and zstandard: with `anki` unimportable, pull works."""
    path = export(phone, tmp_path / "export", "apkg")
    code = (
        "import sys; sys.modules['anki'] = None\n"
        "from drill.entry import main\n"
        f"sys.argv = ['drill', 'pull', {str(path)!r}]\n"
        "main()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "reviews brought in" in run.stdout


def test_package_without_scheduling_brings_nothing(phone, drill, tmp_path):
    out = tmp_path / "plain.apkg"
    phone.export_anki_package(
        out_path=str(out),
        options=anki_collection.ExportAnkiPackageOptions(with_scheduling=False, with_media=False),
        limit=None,
    )
    for _ in range(2):
        report = pull_file(drill.settings, out)
        assert report.notes == len(DECK["cards"]) and report.reviews_in_file == 0
        assert not report.changed
    with Store(drill.db) as store:
        assert not store.reviews()


def test_bad_file_is_one_line(drill, tmp_path, cli):
    bad = tmp_path / "bad.apkg"
    bad.write_bytes(b"not a zip")
    result = cli("pull", bad)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines() == [
        f"drill: {bad}: not an Anki package (an .apkg is a zip file)"
    ]
    missing = cli("pull", tmp_path / "missing.colpkg")
    assert missing.exit_code == 1 and "cannot read" in missing.stderr


def record(store: Store, card_id: str, rating: int, when: datetime, config) -> CardState:
    """An answer given in drill's quiz (drill's scheduler, the quiz's seed)."""
    before = store.state(card_id)
    after = drill_answer(before, rating, when, config, card_seed(card_id, before.reps))
    store.record_answer(card_id, before, after, rating, when)
    return after


def test_drill_reviews_that_went_to_anki_are_not_brought_back(drill, tmp_path, cli):
    """drill's reviews reach Anki in a --with-progress package; Anki studies on; the pull
    brings in only Anki's own answers and finds drill's under their ids."""
    config = drill.config()
    now = datetime.now(UTC).replace(microsecond=0)
    cli("due")  # the store, synced with the deck
    with Store(drill.db) as store:
        for card_id in ("b0", "b1", "b2"):
            record(store, card_id, Rating.EASY, now - timedelta(hours=3), config)
        record(store, "b3", Rating.GOOD, now - timedelta(hours=2), config)
        mine = len(store.reviews())
    package = build(cli, drill, tmp_path / "build", "--with-progress")
    col = open_collection(tmp_path / "phone" / "collection.anki2", drill.rollover)
    try:
        import_package(col, package, with_scheduling=True)
        rng = random.Random(7)
        for _ in range(6):
            col = next_day(col)
            study(col, rng, limit=10)
        theirs = col.db.scalar("SELECT count() FROM revlog") - mine
        assert theirs > 5
        path = export(col, tmp_path / "export", "colpkg")
        report = pull_file(drill.settings, path, now=datetime.now(UTC))
        assert (report.matched, report.received) == (mine, theirs)
        assert not report.replayed
        assert_same_as_anki(col, drill.db, config, datetime.now(UTC), origins=("drill", "anki"))
        with Store(drill.db) as store:
            assert len(store.reviews()) == mine + theirs
            assert store.origins() == {"drill": mine, "anki": theirs}
    finally:
        col.close()


def test_a_card_answered_in_both_is_replayed(drill, tmp_path, cli):
    config = drill.config()
    now = datetime.now(UTC).replace(microsecond=0)
    package = build(cli, drill, tmp_path / "build")
    with Store(drill.db) as store:
        t1, t2 = now - timedelta(hours=2), now - timedelta(hours=1)
        record(store, "b0", Rating.GOOD, t1, config)
        record(store, "b0", Rating.GOOD, t2, config)
    col = open_collection(tmp_path / "phone" / "collection.anki2", drill.rollover)
    try:
        import_package(col, package)
        cid = drill_card_ids(col)["b0"]
        answer(col, col.get_card(cid), Rating.AGAIN)  # on the phone, later
        other = drill_card_ids(col)["b1"]
        answer(col, col.get_card(other), Rating.EASY)
        col.sched.set_due_date([other], "3")  # a manual change: not an answer
        path = export(col, tmp_path / "export", "apkg")
        [anki_id] = col.db.list("SELECT id FROM revlog WHERE cid = ?", cid)
    finally:
        col.close()
    report = pull_file(drill.settings, path, now=now)
    assert report.replayed == ["b0"] and report.manual == 1
    t3 = datetime.fromtimestamp(anki_id / 1000, UTC)
    expected = CardState()
    for when, rating in ((t1, Rating.GOOD), (t2, Rating.GOOD), (t3, Rating.AGAIN)):
        expected = drill_answer(expected, rating, when, config, card_seed("b0", expected.reps))
    with Store(drill.db) as store:
        assert store.state("b0") == expected
        assert [(r.origin, r.rating) for r in store.history("b0")] == [
            ("drill", 3),
            ("drill", 3),
            ("anki", 1),
        ]
        assert [r.kind for r in store.history("b1")] == ["learn"]  # no manual row
    before = drill.dump()
    assert not pull_file(drill.settings, path, now=now).changed
    assert drill.dump() == before


def test_notes_that_came_from_anki_are_found_by_their_guid(drill, tmp_path):
    """A deck imported from Anki keeps each note's GUID (`guid:`) and its Anki note type
    (`anki_notetypes:`): Anki's cards of those notes are drill's cards, template by
    template."""
    col = open_collection(tmp_path / "phone" / "collection.anki2", drill.rollover)
    try:
        model = col.models.by_name("Basic (and reversed card)")
        guids, first = [], None
        for i in range(3):
            note = col.new_note(model)
            note["Front"], note["Back"] = f"Word {i}", f"Meaning {i}"
            col.add_note(note, col.decks.id("Words"))
            guids.append(note.guid)
            first = first or note
        deck = {
            "deck": "Words",
            "anki_notetypes": [
                {
                    "name": model["name"],
                    "id": model["id"],
                    "fields": [f["name"] for f in model["flds"]],
                    "map": {"Front": "front", "Back": "back"},
                    "templates": [
                        {"name": t["name"], "front": t["qfmt"], "back": t["afmt"]}
                        for t in model["tmpls"]
                    ],
                    "css": model["css"],
                }
            ],
            "cards": [
                {
                    "id": f"word-{i}",
                    "kind": "reverse",
                    "guid": guid,
                    "notetype": model["name"],
                    "front": f"Word {i}",
                    "back": f"Meaning {i}",
                }
                for i, guid in enumerate(guids)
            ],
        }
        (drill.decks / "words.yaml").write_text(yaml.safe_dump(deck, sort_keys=False), "utf-8")
        study(col, random.Random(3), deck="Words")
        ords = {card.ord: card.id for card in first.cards()}
        path = export(col, tmp_path / "export", "colpkg")
        report = pull_file(drill.settings, path)
        assert report.notes == 3 and report.cards == 6 and report.received > 6
        with Store(drill.db) as store:
            for ordinal, card_id in ((0, "word-0"), (1, "word-0/reverse")):
                logged = [r.anki_id for r in store.history(card_id)]
                assert logged == col.db.list(
                    "SELECT id FROM revlog WHERE cid = ? ORDER BY id", ords[ordinal]
                )
    finally:
        col.close()
