"""The mirror: an Anki collection in drill's data folder, kept by Anki's own backend (the
`anki` package) and synced by Anki's own sync protocol with AnkiWeb or a self-hosted server
(`python -m anki.syncserver`). The only module that imports `anki`, and only when a sync
runs: `anki` is the optional extra `drill-cards[anki]`.

What drill does to the mirror goes through Anki's API where Anki has one (log in, sync, full
download or upload, media sync, package import, note removal) and through its database
otherwise (review-log rows and card schedules, as Anki's own importer writes them), with
`usn = -1` so the next sync sends them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NamedTuple

from drill.anki.reader import AnkiCard, Revlog

INSTALL = 'pip install "drill-cards[anki]"'
MEDIA_POLL_SECS = 0.005


class MirrorError(Exception):
    """A sync that cannot go on; the message is one line for the user."""


class AnkiMissing(MirrorError):
    pass


class LoginRefused(MirrorError):
    pass


class Unreachable(MirrorError):
    pass


class FullSyncRequired(MirrorError):
    """The server and the mirror have diverged in a way only a full sync (one side replaces
    the other) can settle."""


def _anki() -> Any:
    try:
        from anki import collection
    except ImportError:
        raise AnkiMissing(f"drill sync needs Anki's sync engine: {INSTALL}") from None
    return collection


@contextmanager
def _translated(where: str) -> Iterator[None]:
    """Anki's errors as one line each: refused login, no server, anything else."""
    from anki.errors import NetworkError, SyncError, SyncErrorKind

    try:
        yield
    except SyncError as err:
        if err.kind == SyncErrorKind.AUTH:
            raise LoginRefused(f"{where} refused the login: {_first_line(err)}") from None
        raise MirrorError(f"{where}: {_first_line(err)}") from None
    except NetworkError as err:
        raise Unreachable(f"cannot reach {where}: {_first_line(err)}") from None


def _first_line(err: Exception) -> str:
    text = str(err).strip()
    return text.splitlines()[0] if text else type(err).__name__


class Auth(NamedTuple):
    """What a login leaves: the host key (never the password) and the server."""

    hkey: str
    endpoint: str | None  # None: AnkiWeb


class Outcome(NamedTuple):
    """What one collection sync did."""

    kind: str  # "none" | "normal" | "downloaded" | "uploaded"
    endpoint: str | None  # the server, possibly moved (AnkiWeb shards accounts)


class MirrorNote(NamedTuple):
    id: int
    guid: str
    tags: str


class Snapshot(NamedTuple):
    """The mirror's notes, cards, review log and clock, read once: what
    drill.services.history.plan reads from any Anki collection."""

    note_rows: list[MirrorNote]
    keys: list[tuple[int, int, int]]  # (card id, note id, ordinal) of every card
    card_rows: list[AnkiCard]  # the cards whose review log was read
    revlog_rows: list[Revlog]
    created: int
    rollover: int
    creation_offset: int | None

    def notes(self) -> list[MirrorNote]:
        return self.note_rows

    def card_keys(self) -> list[tuple[int, int, int]]:
        return self.keys

    def cards(self) -> list[AnkiCard]:
        return self.card_rows

    def revlog(self) -> list[Revlog]:
        return self.revlog_rows


class Mirror:
    """An open mirror collection. Use as a context manager."""

    def __init__(self, path: Path):
        collection = _anki()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.col = collection.Collection(str(path))

    def __enter__(self) -> Mirror:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.col.db is not None:
            self.col.close()

    # ----------------------------------------------------------------------- syncing

    def login(self, username: str, password: str, endpoint: str | None, where: str) -> Auth:
        with _translated(where):
            auth = self.col.sync_login(username, password, endpoint)
        return Auth(auth.hkey, auth.endpoint or endpoint)

    def _auth(self, auth: Auth) -> Any:
        from anki.sync import SyncAuth

        return SyncAuth(hkey=auth.hkey, endpoint=auth.endpoint or None)

    def card_count(self) -> int:
        return int(self.col.card_count())

    def sync(
        self, auth: Auth, where: str, *, full: str | None = None, fresh: bool = False
    ) -> Outcome:
        """A normal sync; a full one where the server or the mirror holds nothing (the side
        with cards wins, so nothing is lost), where the protocol demands one and `full`
        says which way ("download" or "upload"), or a download into a `fresh` mirror (one
        that never completed a sync: it holds nothing drill cannot send again).
        FullSyncRequired otherwise."""
        from anki.sync_pb2 import SyncCollectionResponse as Response

        sync_auth = self._auth(auth)
        with _translated(where):
            out = self.col.sync_collection(sync_auth, False)
        endpoint = out.new_endpoint or auth.endpoint
        required = out.required
        if required in (Response.NO_CHANGES, Response.NORMAL_SYNC):
            return Outcome("normal" if required == Response.NORMAL_SYNC else "none", endpoint)
        if required == Response.FULL_DOWNLOAD:  # the mirror holds no cards
            upload = False
        elif required == Response.FULL_UPLOAD:  # the server holds no cards
            upload = True
        elif full in ("download", "upload"):
            upload = full == "upload"
        elif fresh:
            upload = False
        else:
            raise FullSyncRequired(
                f"{where} asks for a full sync: the collection there and drill's copy have "
                "diverged (a change to a note type's fields, a check of the database, or a "
                "full sync chosen on another device). One side must replace the other"
            )
        moved = Auth(auth.hkey, endpoint)
        self.col.close_for_full_sync()
        try:
            with _translated(where):
                self.col.full_upload_or_download(
                    auth=self._auth(moved), server_usn=out.server_media_usn, upload=upload
                )
        finally:
            self.col.reopen(after_full_sync=True)
        return Outcome("uploaded" if upload else "downloaded", endpoint)

    def media_files(self) -> set[str]:
        folder = Path(self.col.media.dir())
        return {p.name for p in folder.iterdir() if p.is_file()} if folder.is_dir() else set()

    def sync_media(self, auth: Auth, where: str) -> None:
        """Anki's media sync, waited for (the backend runs it in the background)."""
        with _translated(where):
            self.col.sync_media(self._auth(auth))
            while self.col.media_sync_status().active:
                time.sleep(MEDIA_POLL_SECS)

    # ----------------------------------------------------------------------- notes

    def import_package(self, package: Path) -> tuple[int, int]:
        """Import an .apkg (no scheduling, no deck options): new notes added, notes whose
        modification time is newer updated in place. Returns (added, updated)."""
        collection = _anki()
        request = collection.ImportAnkiPackageRequest(
            package_path=str(package),
            options=collection.ImportAnkiPackageOptions(
                merge_notetypes=True, with_scheduling=False, with_deck_configs=False
            ),
        )
        log = self.col.import_anki_package(request).log
        return len(log.new), len(log.updated)

    def note_ids(self, guids: Iterable[str]) -> dict[str, int]:
        """The mirror's notes with these GUIDs: GUID -> note id."""
        wanted = set(guids)
        return {
            guid: int(nid)
            for nid, guid in self.col.db.execute("SELECT id, guid FROM notes")
            if guid in wanted
        }

    def remove_notes(self, note_ids: Iterable[int]) -> int:
        ids = list(note_ids)
        if ids:
            self.col.remove_notes(ids)
        return len(ids)

    # ----------------------------------------------------------------------- reviews

    def review_ids(self) -> set[int]:
        """Every review-log id (read in full: only after a full sync)."""
        return set(self.col.db.list("SELECT id FROM revlog"))

    def usn(self) -> int:
        """The collection's update sequence number: what the server changes after this
        moment carry (at least this)."""
        return int(self.col.db.scalar("SELECT usn FROM col"))

    def snapshot(self, since_usn: int | None = None) -> Snapshot:
        """The notes, cards, clock and review log, read once. With `since_usn`, the review
        log only of the cards answered since (rows with that usn or later, or not yet
        synced): the log grows with every review, and the rest is known already."""
        db = self.col.db
        notes = [
            MirrorNote(int(i), str(g), str(t or ""))
            for i, g, t in db.execute("SELECT id, guid, tags FROM notes")
        ]
        keys = [
            (int(i), int(n), int(o)) for i, n, o in db.execute("SELECT id, nid, ord FROM cards")
        ]
        select = (
            "SELECT id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, left, "
            "odue, odid, data FROM cards"
        )
        log = "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog"
        if since_usn is None:
            card_rows, rows = db.execute(select), db.execute(f"{log} ORDER BY id")
        else:
            answered = "SELECT cid FROM revlog WHERE usn >= ? OR usn = -1"
            card_rows = db.execute(f"{select} WHERE id IN ({answered})", since_usn)
            rows = db.execute(f"{log} WHERE cid IN ({answered}) ORDER BY id", since_usn)
        cards = [AnkiCard._make((*row[:14], str(row[14] or ""))) for row in card_rows]
        offset = self.col.get_config("creationOffset", None)
        return Snapshot(
            notes,
            keys,
            cards,
            [Revlog(*row) for row in rows],
            int(self.col.crt),
            int(self.col.get_preferences().scheduling.rollover),
            int(offset) if offset is not None else None,
        )

    def write(
        self, reviews: Iterable[tuple[int, ...]], schedules: Mapping[int, Mapping[str, Any]]
    ) -> tuple[list[int], int]:
        """drill's answers and card schedules, in one transaction of the mirror: review-log
        rows (id, cid, usn, ease, ivl, lastIvl, factor, time, type), each under its id or
        the next free millisecond; card rows' schedules (see `_schedule_rows`). Returns the
        review ids used, in order, and how many cards changed."""
        rows = list(reviews)
        done: tuple[list[int], int] = ([], 0)

        def run() -> None:
            nonlocal done
            used = self._add_reviews(rows) if rows else []
            changed = self._set_schedules(schedules) if schedules else 0
            done = (used, changed)

        if rows or schedules:
            self.col.db.transact(run)
            self.mark_modified()
        return done

    def _add_reviews(self, rows: list[tuple[int, ...]]) -> list[int]:
        used = self._free_ids([row[0] for row in rows])
        self.col.db.executemany(
            "INSERT INTO revlog (id, cid, usn, ease, ivl, lastIvl, factor, time, type) "
            "VALUES (?, ?, -1, ?, ?, ?, ?, ?, ?)",
            [(rid, row[1], *row[3:]) for rid, row in zip(used, rows, strict=True)],
        )
        return used

    def _free_ids(self, wanted: list[int]) -> list[int]:
        """Each wanted review id, or the next millisecond no review has (the log is read
        only around them: it holds every review ever)."""
        taken: set[int] = set()
        top = min(wanted) - 1  # the ids up to here are in `taken`

        def load(upto: int) -> None:
            nonlocal top
            taken.update(
                self.col.db.list("SELECT id FROM revlog WHERE id > ? AND id <= ?", top, upto)
            )
            top = upto

        load(max(wanted) + len(wanted) + 1000)
        used = [0] * len(wanted)
        floor = 0  # in id order, each id is above the one before it
        for index in sorted(range(len(wanted)), key=wanted.__getitem__):
            rid = max(wanted[index], floor)
            while True:
                if rid > top:
                    load(rid + 10_000)
                if rid not in taken:
                    break
                rid += 1
            used[index] = rid
            floor = rid + 1
        return used

    def mark_modified(self) -> None:
        """Mark the collection changed: a sync skips a collection whose modification time
        is the server's, and SQL written to it does not move that time (Anki's own
        operations do)."""
        self.col.db.execute("UPDATE col SET mod = ?", int(time.time() * 1000))

    def _set_schedules(self, columns: Mapping[int, Mapping[str, Any]]) -> int:
        """Card rows' schedules (type, queue, due, ivl, factor, reps, lapses, left; `data`'s
        last review time merged into the card's own data). A card in a filtered deck gets
        its due as the one it returns with."""
        now = int(time.time())
        current: dict[int, tuple[int, str]] = {}
        ids = list(columns)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ", ".join("?" * len(chunk))
            for cid, odid, data in self.col.db.execute(
                f"SELECT id, odid, data FROM cards WHERE id IN ({marks})", *chunk
            ):
                current[int(cid)] = (int(odid), str(data or ""))
        plain: list[tuple[Any, ...]] = []
        filtered: list[tuple[Any, ...]] = []
        for cid, values in columns.items():
            if cid not in current:
                continue
            odid, data = current[cid]
            try:
                merged = json.loads(data or "{}")
            except ValueError:
                merged = {}
            merged.update(json.loads(values.get("data") or "{}"))
            text = json.dumps(merged, separators=(",", ":")) if merged else ""
            common = (
                values["type"],
                values["ivl"],
                values["factor"],
                values["reps"],
                values["lapses"],
                values["left"],
                text,
                now,
            )
            if odid:
                filtered.append((*common, values["due"], cid))
            else:
                plain.append((*common, values["queue"], values["due"], cid))
        head = "UPDATE cards SET type = ?, ivl = ?, factor = ?, reps = ?, lapses = ?, left = ?, "
        head += "data = ?, mod = ?, usn = -1, "
        if plain:
            self.col.db.executemany(head + "queue = ?, due = ? WHERE id = ?", plain)
        if filtered:
            self.col.db.executemany(head + "odue = ? WHERE id = ?", filtered)
        return len(plain) + len(filtered)
