"""A collection of Anki's own backend (the `anki` package) playing the phone: it imports
drill's packages, studies with Anki's scheduler over simulated days, and exports or syncs.

A simulated day is a day of Anki's clock: the collection's creation time moves back a day
(and the collection is reopened, since the backend caches the day). The day boundary is put
12 hours away from now (anki-import.md, "Two traps"), so a run never straddles it."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest

anki_collection = pytest.importorskip("anki.collection")

WEIGHTS = (15, 10, 60, 15)  # Again, Hard, Good, Easy
PHASES = {0: "new", 1: "learning", 2: "review", 3: "relearning"}


def rollover_hour() -> int:
    return (datetime.now().hour + 12) % 24


def open_collection(path: Path, rollover: int | None = None):
    path.parent.mkdir(parents=True, exist_ok=True)
    col = anki_collection.Collection(str(path))
    if rollover is not None:
        prefs = col.get_preferences()
        if prefs.scheduling.rollover != rollover:
            prefs.scheduling.rollover = rollover
            col.set_preferences(prefs)
    col.load_balancer_enabled = False
    return col


def next_day(col, days: int = 1):
    """The same collection, `days` later on Anki's clock."""
    path = col.path
    col.db.execute("UPDATE col SET crt = crt - ?", 86_400 * days)
    col.close()
    return open_collection(Path(path))


def import_package(col, package: Path, with_scheduling: bool = False):
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(package),
        options=anki_collection.ImportAnkiPackageOptions(
            merge_notetypes=True, with_scheduling=with_scheduling, with_deck_configs=False
        ),
    )
    return col.import_anki_package(request).log


def answer(col, card, rating: int, seconds: float | None = None) -> None:
    """Answer a card with Anki's scheduler: rating 1-4 (Again..Easy), as drill numbers them,
    after `seconds` on screen (default: a few, as a person takes)."""
    import time

    states = col._backend.get_scheduling_states(card.id)
    card.start_timer()
    card.timer_started = time.time() - (seconds if seconds is not None else random.uniform(2, 9))
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating - 1))


def study(
    col, rng: random.Random, limit: int = 1000, weights=WEIGHTS, deck: str | None = None
) -> int:
    """A study session of a deck (default: the first deck drill built): the cards Anki's
    queue gives, answered at random, until none is left (learning steps within the
    learn-ahead limit included) or `limit` answers."""
    select(col, deck)
    done = 0
    while done < limit:
        card = col.sched.getCard()
        if card is None:
            break
        answer(col, card, rng.choices(range(1, 5), weights)[0])
        done += 1
    return done


def select(col, deck: str | None = None) -> None:
    """Make a deck (default: the top deck of the first note drill built) the current one,
    whose cards Anki's queue gives."""
    if deck is None:
        notes = col.find_notes("note:drill*")
        deck = col.decks.name(col.get_note(notes[0]).cards()[0].did).split("::")[0]
    col.decks.select(col.decks.id_for_name(deck))


def new_per_day(col, count: int) -> None:
    """Set the default preset's daily limit of new cards."""
    conf = col.decks.config_dict_for_deck_id(1)
    conf["new"]["perDay"] = count
    col.decks.update_config(conf)


def drill_card_ids(col) -> dict[str, int]:
    """Anki card ids by drill card id, for the notes drill built (the Id field and the
    template's suffix)."""
    from drill.anki.notetypes import NOTE_TYPES

    found = {}
    for nid in col.find_notes("note:drill*"):
        note = col.get_note(nid)
        kind = note.note_type()["name"].removeprefix("drill: ")
        for card in note.cards():
            suffix = NOTE_TYPES[kind].suffix(card.ord)
            found[f"{note['Id']}/{suffix}" if suffix else note["Id"]] = card.id
    return found


def assert_same_as_anki(col, db: Path, config, now: datetime, origins=("anki", "drill")) -> int:
    """Every card of drill's deck is where Anki has it, its answers in drill's log (done in
    `origins`); returns the answers compared."""
    from drill.scheduler import scheduling_day
    from drill.storage import Store

    today = col.sched.today
    answers = 0
    with Store(db) as store:
        for card_id, cid in drill_card_ids(col).items():
            card = col.get_card(cid)
            record = store.card(card_id)
            state = record.state
            card_id = (
                card_id,
                state,
                (card.type, card.queue, card.due, card.ivl, card.left, card.reps, card.mod),
                [(r.reviewed_at, r.rating, r.origin, r.anki_id) for r in store.history(card_id)],
                col.db.all("SELECT id, ease, ivl, type FROM revlog WHERE cid = ?", cid),
            )
            assert state.phase == PHASES[card.type], card_id
            assert (state.reps, state.lapses) == (card.reps, card.lapses), card_id
            assert record.suspended == (card.queue == -1), card_id
            if card.type == 2:
                days = (scheduling_day(state.due, config) - scheduling_day(now, config)).days
                assert days == card.due - today, card_id  # the same due day
                assert (state.interval_days, round(state.ease * 1000)) == (card.ivl, card.factor)
            elif card.type in (1, 3):
                assert int(state.due.timestamp()) == card.due, card_id
                steps = config.learning_steps if card.type == 1 else config.relearning_steps
                assert len(steps) - state.step == card.left % 1000, card_id
            logged = store.history(card_id[0])
            anki_ids = col.db.list(
                "SELECT id FROM revlog WHERE cid = ? AND ease BETWEEN 1 AND 4 AND type < 4 "
                "ORDER BY id",
                cid,
            )
            assert [r.anki_id for r in logged] == anki_ids, card_id
            assert {r.origin for r in logged} <= set(origins)
            answers += len(logged)
    return answers


# --------------------------------------------------------------------------- the server


class SyncServer:
    """Anki's own sync server (`python -m anki.syncserver`) on 127.0.0.1, a free port, a
    temporary SYNC_BASE, and `users` accounts user1:pass1 ... (one fresh account a test)."""

    def __init__(self, base: Path, users: int = 60):
        import os
        import socket
        import subprocess
        import sys

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {
            **os.environ,
            "SYNC_BASE": str(base),
            "SYNC_HOST": "127.0.0.1",
            "SYNC_PORT": str(self.port),
            "RUST_LOG": "warn",
            **{f"SYNC_USER{i}": f"user{i}:pass{i}" for i in range(1, users + 1)},
        }
        self.url = f"http://127.0.0.1:{self.port}/"
        self.users = users
        self.taken = 0
        self.log = base / "server.log"
        base.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "anki.syncserver"],
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        self._wait()

    def _wait(self) -> None:
        import socket
        import time

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the sync server stopped: " + self.log.read_text())
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the sync server did not start")

    def account(self) -> tuple[str, str]:
        """A fresh account: user N, password passN."""
        self.taken += 1
        assert self.taken <= self.users, "more accounts than the server was started with"
        return f"user{self.taken}", f"pass{self.taken}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except Exception:
            self.process.kill()


class Phone:
    """A second collection on the same account: Anki's own client."""

    def __init__(self, path: Path, server: SyncServer, user: str, password: str, rollover: int):
        self.col = open_collection(path, rollover)
        self.auth = self.col.sync_login(user, password, server.url)

    def sync(self, full: str | None = None) -> str:
        """A sync as Anki's client does it; a full one where the protocol demands it (the
        side with cards wins; `full` says which way when both have them)."""
        from anki.sync_pb2 import SyncCollectionResponse as Response

        out = self.col.sync_collection(self.auth, True)
        if out.required in (Response.NO_CHANGES, Response.NORMAL_SYNC):
            kind = "normal"
        else:
            upload = out.required == Response.FULL_UPLOAD or (
                out.required == Response.FULL_SYNC and full == "upload"
            )
            assert out.required != Response.FULL_SYNC or full, "a full sync was demanded"
            self.col.close_for_full_sync()
            self.col.full_upload_or_download(
                auth=self.auth, server_usn=out.server_media_usn, upload=upload
            )
            self.col.reopen(after_full_sync=True)
            self.col.load_balancer_enabled = False
            kind = "uploaded" if upload else "downloaded"
        self.col.sync_media(self.auth)
        import time

        while self.col.media_sync_status().active:
            time.sleep(0.05)
        return kind

    def close(self) -> None:
        self.col.close()
