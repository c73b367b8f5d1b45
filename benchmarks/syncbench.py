"""The `drill sync` benchmark's set-up: Anki's own sync server, two accounts holding the same
notes, and rounds of new reviews on both devices of each account.

Ours: drill (its store, its mirror) and a phone on one account. The reference: two plain
`anki` collections (a desktop and a phone) on the other. Each round, both devices answer
`REVIEWS` new cards; the phone syncs (not timed); then the other device's sync is timed:
`drill sync` for ours, Anki's own `sync_collection` (and media sync) for the reference. Both
bring in the phone's answers and send their own."""

from __future__ import annotations

import os
import random
import socket
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

REVIEWS = 1_000
RNG = random.Random(15)
# Which decks each device studies: drill (or the desktop) the first groups, the phone the last.
MINE = ("Bench 0::", "Bench 1::")
PHONES = ("Bench 3::", "Bench 4::")


class Server:
    def __init__(self, base: Path, users: int = 2):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        env = {
            **os.environ,
            "SYNC_BASE": str(base),
            "SYNC_HOST": "127.0.0.1",
            "SYNC_PORT": str(self.port),
            "RUST_LOG": "warn",
            **{f"SYNC_USER{i}": f"user{i}:pass{i}" for i in range(1, users + 1)},
        }
        base.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "anki.syncserver"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError("the sync server did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


class Device:
    """A plain Anki collection logged in to an account."""

    def __init__(self, path: Path, url: str, user: str, password: str):
        from anki.collection import Collection

        path.parent.mkdir(parents=True, exist_ok=True)
        self.col = Collection(str(path))
        self.col.load_balancer_enabled = False
        self.auth = self.col.sync_login(user, password, url)

    def sync(self) -> None:
        from anki.sync_pb2 import SyncCollectionResponse as Response

        out = self.col.sync_collection(self.auth, False)
        if out.required not in (Response.NO_CHANGES, Response.NORMAL_SYNC):
            upload = out.required == Response.FULL_UPLOAD
            self.col.close_for_full_sync()
            self.col.full_upload_or_download(
                auth=self.auth, server_usn=out.server_media_usn, upload=upload
            )
            self.col.reopen(after_full_sync=True)
            self.col.load_balancer_enabled = False
        self.col.sync_media(self.auth)
        while self.col.media_sync_status().active:
            time.sleep(0.01)

    def study_new(self, count: int, groups: tuple[str, ...]) -> int:
        """Answer `count` new cards of the decks of some groups (`Bench 3`, ...) Good with
        Anki's scheduler, a few seconds each (so two devices answer different cards)."""
        dids = [d.id for d in self.col.decks.all_names_and_ids() if d.name.startswith(groups)]
        marks = ", ".join("?" * len(dids))
        cids = self.col.db.list(
            f"SELECT id FROM cards WHERE type = 0 AND did IN ({marks}) ORDER BY id LIMIT ?",
            *dids,
            count,
        )
        for cid in cids:
            card = self.col.get_card(cid)
            states = self.col._backend.get_scheduling_states(cid)
            card.start_timer()
            card.timer_started -= RNG.uniform(2, 12)
            self.col.sched.answer_card(
                self.col.sched.build_answer(card=card, states=states, rating=2)
            )
        return len(cids)

    def close(self) -> None:
        self.col.close()


class SyncBench:
    """Both accounts, ready for rounds."""

    def __init__(self, tmp: Path, decks_folder: Path, db: Path):
        from drill.services import anki_sync
        from drill.services.settings import Settings, Sourced
        from drill.storage import Store

        self.tmp = tmp
        self.server = Server(tmp / "server")
        self.settings = Settings(
            config_file=tmp / "config.yaml",
            config_exists=False,
            database=Sourced(db, "--db"),
            deck_folders=(Sourced(decks_folder, "--decks"),),
            bundled=False,
            options={},
            sync_url=self.server.url,
        )
        with Store(db):
            pass
        anki_sync.login(self.settings, "user1", "pass1")
        first = anki_sync.sync(self.settings, datetime.now(UTC))
        self.cards = first.notes_added
        self.phone = Device(tmp / "phone" / "collection.anki2", self.server.url, "user1", "pass1")
        self.phone.sync()
        # The reference account: the same notes, from a copy of the mirror's collection
        # (the server of the other account holds nothing, so its first sync uploads it).
        mirror = anki_sync.mirror_folder(self.settings) / anki_sync.COLLECTION
        desk_path = tmp / "desktop" / "collection.anki2"
        desk_path.parent.mkdir(parents=True)
        source, target = sqlite3.connect(mirror), sqlite3.connect(desk_path)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        self.desktop = Device(desk_path, self.server.url, "user2", "pass2")
        self.desktop.sync()
        self.phone2 = Device(tmp / "phone2" / "collection.anki2", self.server.url, "user2", "pass2")
        self.phone2.sync()
        self.round = 0

    def prepare_ours(self) -> tuple[int, int]:
        """REVIEWS new answers in drill's quiz and on the phone; the phone syncs. Returns
        how many each gave."""
        from drill.fsrs_scheduler import card_seed
        from drill.scheduler import CardState, Rating, answer
        from drill.storage import Store

        with Store(self.settings.db) as store:
            fresh = [
                row[0]
                for row in store.conn.execute(
                    "SELECT id FROM cards WHERE phase = 'new' AND orphaned = 0 "
                    "AND (deck LIKE ? OR deck LIKE ?) ORDER BY id LIMIT ?",
                    (MINE[0] + "%", MINE[1] + "%", REVIEWS),
                )
            ]
            for card_id in fresh:
                now = datetime.now(UTC)
                before: CardState = store.state(card_id)
                after = answer(before, Rating.GOOD, now, seed=card_seed(card_id, 0))
                spent = RNG.randint(2_000, 12_000)
                store.record_answer(card_id, before, after, Rating.GOOD, now, answer_ms=spent)
        phone = self.phone.study_new(REVIEWS, PHONES)
        self.phone.sync()
        return len(fresh), phone

    def ours(self) -> Any:
        from drill.services import anki_sync

        return anki_sync.sync(self.settings, datetime.now(UTC))

    def prepare_ref(self) -> None:
        """REVIEWS new answers on both plain collections; the phone syncs."""
        self.desktop.study_new(REVIEWS, MINE)
        self.phone2.study_new(REVIEWS, PHONES)
        self.phone2.sync()

    def ref(self) -> None:
        self.desktop.sync()

    def close(self) -> None:
        for device in (self.phone, self.desktop, self.phone2):
            device.close()
        self.server.stop()
