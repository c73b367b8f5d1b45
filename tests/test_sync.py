"""`drill sync` against Anki's own sync server (`python -m anki.syncserver`), with a second
collection of Anki's backend playing the phone (tests/anki_phone.py). Every scenario of the
issue: first syncs (empty account, account with other decks), reviews on one side or both,
edits, removed ids, media, wrong password, server down, kill -9 half-way, a full sync
demanded. Everything runs on the real clock (Anki answers and syncs at the real time), with
the day boundary 12 hours away."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from anki_phone import (
    Phone,
    SyncServer,
    answer,
    assert_same_as_anki,
    drill_card_ids,
    open_collection,
    rollover_hour,
    select,
)
from drill.anki.notetypes import note_guid
from drill.fsrs_scheduler import card_seed
from drill.scheduler import CardState, Rating, SchedulerConfig
from drill.scheduler import answer as drill_answer
from drill.storage import Store

DECK = {
    "deck": "Sync::Deck",
    "cards": [
        *({"id": f"b{i}", "front": f"Question {i}?", "back": f"Answer {i}"} for i in range(8)),
        {"id": "r0", "kind": "reverse", "front": "Term", "back": "Meaning"},
        {"id": "z0", "kind": "cloze", "text": "{{c1::A}} then {{c2::B}}"},
    ],
}
CARDS = 8 + 2 + 2


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    server = SyncServer(tmp_path_factory.mktemp("syncserver"), users=24)
    yield server
    server.stop()


class Drill:
    """drill's side: decks, a config naming the server, a database; the CLI in-process."""

    def __init__(self, root: Path, server: SyncServer, cli, monkeypatch, account):
        self.root = root
        self.decks = root / "decks"
        self.decks.mkdir(parents=True)
        self.write(DECK)
        self.db = root / "drill.db"
        self.rollover = rollover_hour()
        self.config_file = root / "config.yaml"
        self.config_file.write_text(
            f"bundled: false\ndecks: [{self.decks}]\ndb: {self.db}\nsync_url: {server.url}\n"
            f"options:\n  next_day_starts_at: {self.rollover}\n",
            encoding="utf-8",
        )
        monkeypatch.setenv("DRILL_CONFIG", str(self.config_file))
        self.cli = cli
        self.user, self.password = account

    def write(self, deck: dict, name: str = "deck.yaml") -> None:
        (self.decks / name).write_text(yaml.safe_dump(deck, sort_keys=False), "utf-8")

    @property
    def config(self) -> SchedulerConfig:
        return SchedulerConfig(rollover_hour=self.rollover)

    def sync(self, *args: str, login: bool = False, code: int = 0, input: str | None = None):
        extra = ("--login",) if login else ()
        if login and input is None:
            input = f"{self.user}\n{self.password}\n"
        result = self.cli("sync", *extra, *args, input=input)
        assert result.exit_code == code, result.output
        return result

    def answer(self, card_id: str, rating: int, when: datetime | None = None) -> CardState:
        """An answer in drill's quiz: drill's scheduler, the quiz's fuzz seed."""
        when = when or datetime.now(UTC)
        with Store(self.db) as store:
            before = store.state(card_id)
            after = drill_answer(before, rating, when, self.config, card_seed(card_id, before.reps))
            # A few seconds on the card, as a person takes (and the quiz records).
            store.record_answer(
                card_id, before, after, rating, when, answer_ms=random.randint(1500, 9000)
            )
        return after

    def reviews(self) -> list:
        with Store(self.db) as store:
            return store.reviews()


@pytest.fixture
def drill(tmp_path, server, cli, monkeypatch):
    return Drill(tmp_path / "drill", server, cli, monkeypatch, server.account())


@pytest.fixture
def phone(tmp_path, server, drill):
    phone = Phone(
        tmp_path / "phone" / "collection.anki2", server, drill.user, drill.password, drill.rollover
    )
    yield phone
    phone.close()


def spanish_deck(col, notetype: str, notes: int, answered: int) -> int:
    """The phone user's own deck, "Spanish", of `notes` notes, `answered` cards answered Good.
    Returns the deck's id."""
    spanish = col.decks.id("Spanish")
    for i in range(notes):
        note = col.new_note(col.models.by_name(notetype))
        note["Front"], note["Back"] = f"palabra {i}", f"word {i}"
        col.add_note(note, spanish)
    select(col, "Spanish")
    for _ in range(answered):
        answer(col, col.sched.getCard(), Rating.GOOD)
    return spanish


def answers_in(col) -> list[int]:
    return col.db.list("SELECT id FROM revlog WHERE ease BETWEEN 1 AND 4 AND type < 4 ORDER BY id")


def note_rows(col, query: str = "") -> list[tuple]:
    return [
        tuple(col.db.first("SELECT id, guid, mid, mod, flds, tags FROM notes WHERE id = ?", nid))
        for nid in sorted(col.find_notes(query))
    ]


# --------------------------------------------------------------------------- first syncs


def test_first_sync_to_an_empty_account(drill, phone, tmp_path, cli):
    result = drill.sync(login=True)
    assert "synced with" in result.stdout and f"notes: {len(DECK['cards'])} added" in result.stdout
    key = drill.root / "drill-anki" / "login.json"
    assert key.stat().st_mode & 0o777 == 0o600
    assert drill.password not in key.read_text()
    assert phone.sync() == "downloaded"
    col = phone.col
    assert col.card_count() == CARDS
    # The notes are drill build's: note types, GUIDs, fields.
    build = cli("build", "--out", tmp_path / "build")
    assert build.exit_code == 0, build.output
    reference = open_collection(tmp_path / "reference" / "collection.anki2")
    try:
        from anki_phone import import_package

        [package] = (tmp_path / "build").glob("*.apkg")
        import_package(reference, package)
        ours = {row[1]: (row[2], row[4]) for row in note_rows(col)}
        theirs = {row[1]: (row[2], row[4]) for row in note_rows(reference, "note:drill*")}
        assert ours == theirs
    finally:
        reference.close()
    assert set(ours) == {note_guid(c["id"]) for c in DECK["cards"]}
    again = drill.sync()
    assert "notes: 0 added, 0 updated" in again.stdout


def test_first_sync_with_other_decks_leaves_them_alone(drill, phone):
    col = phone.col
    spanish = spanish_deck(col, "Basic", notes=5, answered=4)
    assert phone.sync() == "uploaded"
    before = (note_rows(col), col.db.all("SELECT * FROM cards ORDER BY id"), answers_in(col))
    result = drill.sync(login=True)
    assert "first sync: the collection on" in result.stdout
    phone.sync()
    assert col.card_count() == 5 + CARDS
    after_notes = note_rows(col, "deck:Spanish")
    assert after_notes == before[0]
    assert col.db.all("SELECT * FROM cards WHERE did = ? ORDER BY id", spanish) == before[1]
    assert set(before[2]) <= set(answers_in(col))
    assert not [r for r in drill.reviews()]  # the Spanish reviews are not drill's


# --------------------------------------------------------------------------- reviews


def test_reviews_only_in_drill(drill, phone):
    drill.sync(login=True)
    now = datetime.now(UTC).replace(microsecond=0)
    drill.answer("b0", Rating.EASY, now - timedelta(minutes=30))
    drill.answer("b1", Rating.GOOD, now - timedelta(minutes=20))  # a 10-minute step
    drill.answer("b1", Rating.GOOD, now - timedelta(minutes=5))  # graduates: 1 day
    drill.answer("b2", Rating.AGAIN, now - timedelta(minutes=1))  # a 1-minute step
    drill.answer("z0/c2", Rating.HARD, now - timedelta(minutes=2))
    result = drill.sync()
    assert "reviews: 5 sent, 0 received" in result.stdout
    phone.sync()
    assert assert_same_as_anki(phone.col, drill.db, drill.config, datetime.now(UTC)) == 5
    assert {r.origin for r in drill.reviews()} == {"drill"}
    assert all(r.anki_id for r in drill.reviews())
    assert "reviews: 0 sent, 0 received" in drill.sync().stdout  # nothing twice


def test_reviews_only_on_the_phone(drill, phone):
    drill.sync(login=True)
    phone.sync()
    col = phone.col
    select(col)
    ids = drill_card_ids(col)
    answer(col, col.get_card(ids["b3"]), Rating.EASY)
    answer(col, col.get_card(ids["b4"]), Rating.GOOD)
    answer(col, col.get_card(ids["r0/reverse"]), Rating.AGAIN)
    col.sched.suspend_cards([ids["b4"]])
    phone.sync()
    result = drill.sync()
    assert "reviews: 0 sent, 3 received" in result.stdout
    assert assert_same_as_anki(col, drill.db, drill.config, datetime.now(UTC)) == 3
    assert {r.origin for r in drill.reviews()} == {"anki"}
    assert "0 received" in drill.sync().stdout


def test_the_same_card_on_both_sides(drill, phone, tmp_path):
    """Both answered b5 (and b6) between two syncs: the merged log, in time order, is
    replayed; both sides end with that state, and it is what Anki computes from the same
    answers."""
    drill.sync(login=True)
    phone.sync()
    col = phone.col
    ids = drill_card_ids(col)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    drill.answer("b5", Rating.GOOD, t0)  # drill first: new -> 10-minute step
    drill.answer("b6", Rating.AGAIN, t0)
    answer(col, col.get_card(ids["b5"]), Rating.GOOD)  # the phone, later: new -> 10 min
    answer(col, col.get_card(ids["b6"]), Rating.GOOD)
    phone.sync()
    result = drill.sync()
    assert "2 cards answered on both sides, replayed in time order (b5, b6)" in result.stdout
    assert "reviews: 2 sent, 2 received" in result.stdout
    with Store(drill.db) as store:
        b5, b6 = store.state("b5"), store.state("b6")
        assert [r.origin for r in store.history("b5")] == ["drill", "anki"]
    assert (b5.phase, b5.interval_days) == ("review", 1)  # Good, Good: graduated
    assert (b6.phase, b6.step) == ("learning", 1)  # Again, Good: the second step
    phone.sync()
    assert assert_same_as_anki(col, drill.db, drill.config, datetime.now(UTC)) == 4
    # What Anki itself makes of the same answers, in the same order:
    reference = open_collection(tmp_path / "ref" / "collection.anki2", drill.rollover)
    try:
        model = reference.models.by_name("Basic")
        for ratings, target in (((Rating.GOOD, Rating.GOOD), ids["b5"]),):
            note = reference.new_note(model)
            note["Front"] = "x"
            reference.add_note(note, 1)
            card = note.cards()[0]
            for rating in ratings:
                answer(reference, reference.get_card(card.id), rating)
            mine, theirs = col.get_card(target), reference.get_card(card.id)
            assert (mine.type, mine.queue, mine.ivl, mine.factor, mine.reps) == (
                theirs.type,
                theirs.queue,
                theirs.ivl,
                theirs.factor,
                theirs.reps,
            )
            assert mine.due - col.sched.today == theirs.due - reference.sched.today
    finally:
        reference.close()


# --------------------------------------------------------------------------- notes


def test_a_yaml_edit_reaches_the_phone_as_an_update(drill, phone, monkeypatch):
    drill.sync(login=True)
    phone.sync()
    col = phone.col
    [before] = [r for r in note_rows(col) if r[1] == note_guid("b0")]
    edited = {**DECK, "cards": [dict(c) for c in DECK["cards"]]}
    edited["cards"][0]["back"] = "A better answer"
    drill.write(edited)
    # Anki updates a note only when the incoming one is newer, to the second: edited later.
    monkeypatch.setenv("DRILL_NOW", (datetime.now(UTC) + timedelta(seconds=5)).isoformat())
    result = drill.sync()
    assert "notes: 0 added, 1 updated" in result.stdout
    phone.sync()
    [after] = [r for r in note_rows(col) if r[1] == note_guid("b0")]
    assert after[0] == before[0]  # the same note, updated in place
    assert "A better answer" in after[4] and col.note_count() == len(DECK["cards"])


def test_an_id_removed_from_the_yaml(drill, phone):
    drill.sync(login=True)
    phone.sync()
    fewer = {**DECK, "cards": [c for c in DECK["cards"] if c["id"] != "b7"]}
    drill.write(fewer)
    result = drill.sync()
    assert "1 note whose id left the YAML kept in Anki (--prune removes them)" in result.stdout
    phone.sync()
    assert phone.col.note_count() == len(DECK["cards"])
    pruned = drill.sync("--prune")
    assert "1 removed (--prune)" in pruned.stdout
    phone.sync()
    assert phone.col.note_count() == len(DECK["cards"]) - 1
    assert note_guid("b7") not in {r[1] for r in note_rows(phone.col)}
    assert "notes: 0 added, 0 updated\n" in drill.sync("--prune").stdout + "\n"


def test_media_both_ways(drill, phone):
    media = drill.decks / "media"
    media.mkdir()
    (media / "chart.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"drill" * 20)
    deck = {
        "deck": "Sync::Media",
        "cards": [{"id": "m0", "front": "Which chart? ![a chart](media/chart.png)", "back": "It"}],
    }
    drill.write(deck, "media.yaml")
    result = drill.sync(login=True)
    assert "media: 1 sent, 0 received" in result.stdout
    phone.sync()
    names = os.listdir(phone.col.media.dir())
    assert len([n for n in names if n.endswith("-chart.png")]) == 1
    phone.col.media.write_data("from-phone.jpg", b"\xff\xd8\xff" + b"phone" * 10)
    phone.sync()
    assert "media: 0 sent, 1 received" in drill.sync().stdout


# --------------------------------------------------------------------------- failures


def test_wrong_password_is_one_line(drill):
    result = drill.sync(login=True, code=1, input=f"{drill.user}\nwrong\n")
    errors = [
        line[line.index("drill:") :] for line in result.stderr.splitlines() if "drill:" in line
    ]
    assert len(errors) == 1 and "refused the login" in errors[0]
    assert "Traceback" not in result.output
    assert not (drill.root / "drill-anki" / "login.json").exists()
    not_yet = drill.sync(code=1)
    assert "not logged in" in not_yet.stderr


def test_server_down_is_one_line(drill, server):
    drill.sync(login=True)
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    down = f"http://127.0.0.1:{closed}/"
    result = drill.sync("--endpoint", down, login=True, code=1)
    errors = [
        line[line.index("drill:") :] for line in result.stderr.splitlines() if "drill:" in line
    ]
    assert errors == [f"drill: cannot reach {down}: A network error occurred."]
    assert "Traceback" not in result.output


STAGES = ("sending", "merging reviews", "syncing with", "syncing media")


@pytest.mark.parametrize("stage", range(len(STAGES) + 1))
def test_kill_during_a_sync_then_rerun(drill, phone, stage):
    """A sync killed (SIGKILL) right after announcing each stage; the rerun completes, and no
    review is lost or twice on either side."""
    drill.sync(login=True)
    phone.sync()
    col = phone.col
    ids = drill_card_ids(col)
    now = datetime.now(UTC).replace(microsecond=0)
    for card_id in ("b0", "b1", "b2"):
        drill.answer(card_id, Rating.GOOD, now - timedelta(minutes=15))
    answer(col, col.get_card(ids["b3"]), Rating.EASY)
    answer(col, col.get_card(ids["b0"]), Rating.HARD)  # both sides
    phone.sync()
    edited = {**DECK, "cards": [*DECK["cards"], {"id": "new1", "front": "New?", "back": "Yes"}]}
    drill.write(edited)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    run = subprocess.Popen(
        [sys.executable, "-m", "drill", "sync"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        env=env,
        text=True,
    )
    seen = 0
    assert run.stderr is not None
    for line in run.stderr:
        if stage < len(STAGES) and line.startswith(STAGES[stage]):
            seen += 1
            if STAGES[stage] != "syncing with" or seen == 2:  # the second sync: the push
                run.send_signal(signal.SIGKILL)
                break
    run.wait()
    assert run.returncode == (-signal.SIGKILL if stage < len(STAGES) else 0)
    drill.sync()  # the rerun completes
    phone.sync()
    drill.sync()
    phone.sync()
    reviews = drill.reviews()
    assert len(reviews) == 5 and len({r.anki_id for r in reviews}) == 5
    assert sorted(r.anki_id for r in reviews) == answers_in(col)
    assert assert_same_as_anki(col, drill.db, drill.config, datetime.now(UTC)) == 5
    assert col.note_count() == len(DECK["cards"]) + 1


def test_a_server_that_demands_a_full_sync(drill, phone):
    drill.sync(login=True)
    phone.sync()
    drill.answer("b2", Rating.GOOD)
    drill.sync()  # on the server, but the phone never gets it:
    col = phone.col
    model = col.models.by_name("Basic")
    col.models.add_field(model, col.models.new_field("Extra"))  # a schema change
    col.models.update_dict(model)
    assert phone.sync(full="upload") == "uploaded"  # its own collection replaces the server's
    drill.answer("b0", Rating.EASY)
    refused = drill.sync(code=1)
    errors = [line for line in refused.stderr.splitlines() if line.startswith("drill:")]
    assert len(errors) == 1 and "asks for a full sync" in errors[0]
    assert "--force-download" in errors[0] and "--force-upload" in errors[0]
    said_no = drill.sync("--force-download", code=1, input="n\n")
    assert "asks for a full sync" in said_no.stderr
    done = drill.sync("--force-download", input="y\n")
    assert "Replace drill's copy" in done.stderr
    assert "reviews: 2 sent" in done.stdout  # b0, and b2 again: the upload lost it
    phone.sync()
    assert assert_same_as_anki(col, drill.db, drill.config, datetime.now(UTC)) == 2
    assert "Extra" in [f["name"] for f in col.models.by_name("Basic")["flds"]]


def test_without_anki_sync_says_how_to_install_it(drill):
    code = (
        "import sys; sys.modules['anki'] = None\n"
        "from drill.entry import main\n"
        "sys.argv = ['drill', 'sync']\n"
        "main()\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 1
    assert run.stderr.strip().splitlines() == [
        'drill: drill sync needs Anki\'s sync engine: pip install "drill-cards[anki]"'
    ]


def test_force_upload_replaces_the_servers_collection(drill, phone):
    drill.sync(login=True)
    phone.sync()
    col = phone.col
    model = col.models.by_name("Basic")
    col.models.add_field(model, col.models.new_field("Phone only"))
    col.models.update_dict(model)
    phone.sync(full="upload")
    drill.answer("b1", Rating.GOOD)
    said_no = drill.sync("--force-upload", code=1, input="n\n")
    assert "Replace the collection on" in said_no.stderr
    done = drill.sync("--force-upload", "--yes")
    assert (
        "full sync: the collection on" in done.stdout and "replaced by drill's copy" in done.stdout
    )
    assert phone.sync(full="download") == "downloaded"
    col = phone.col
    assert "Phone only" not in [f["name"] for f in col.models.by_name("Basic")["flds"]]
    assert assert_same_as_anki(col, drill.db, drill.config, datetime.now(UTC)) == 1


def test_a_deck_imported_from_anki_syncs_as_the_same_notes(drill, phone, tmp_path):
    """The phone's own deck, imported into drill (drill import keeps each note's GUID and
    note type, and brings its reviews), syncs back as the same notes: no copy, and no review
    twice."""
    col = phone.col
    spanish_deck(col, "Basic (and reversed card)", notes=4, answered=3)
    phone.sync()
    package = tmp_path / "spanish.colpkg"
    col.export_collection_package(str(package), include_media=False, legacy=False)
    col.reopen()
    imported = drill.cli("import", package, "--out", drill.decks / "spanish.yaml")
    assert imported.exit_code == 0, imported.output
    fields = {row[1]: row[4] for row in note_rows(col)}
    reviews_before = answers_in(col)
    result = drill.sync(login=True)
    # drill's own deck is new to Anki; the four imported notes are Anki's own already (at
    # most re-dated, when the import is a newer second than their last edit in Anki).
    assert f"notes: {len(DECK['cards'])} added" in result.stdout
    phone.sync()
    assert col.note_count() == 4 + len(DECK["cards"])
    assert {
        guid: flds for guid, flds in ((r[1], r[4]) for r in note_rows(col)) if guid in fields
    } == fields
    assert answers_in(col) == reviews_before
    assert sorted(r.anki_id for r in drill.reviews()) == reviews_before
