"""`drill sync`: drill and Anki as one, through Anki's own sync protocol.

drill keeps a mirror Anki collection beside its database (drill.anki.mirror) and syncs it
with AnkiWeb, or with a self-hosted server (`sync_url:` in the config file, or
`--endpoint`). One run:

1. The mirror syncs with the server, so it holds what other devices did. A mirror that has
   never synced downloads the account's collection (the user's other decks come along and
   are never touched); the server's collection is never replaced by an upload unless it
   holds no cards, or the user asks (`--force-upload`) when the protocol demands a full sync.
2. Notes out: drill's notes, written exactly as `drill build` writes them (note types,
   GUIDs, fields, media), are imported into the mirror: new ones added, edited ones updated
   in place. A note whose id left the YAML stays in Anki unless `--prune`.
3. Reviews in and out: the mirror's answers drill does not have are merged into drill's log
   (drill.services.history, as `drill pull` does); drill's answers Anki does not have go
   into the mirror's review log, and the card's schedule into its card row. A card answered
   on both sides is replayed in time order and both sides get the replayed state.
4. The mirror syncs again (collection, then media), and only then does drill's store change,
   in one transaction. A run cut short anywhere leaves the store as it was; the next run
   finds in the mirror whatever reached it (a drill review Anki has is recognised by its
   card, rating and moment, so it is never sent twice) and completes.

Only the host key of a login is kept (never the password), in a file only the user can read.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from drill.services.errors import DrillError, UsageError
from drill.services.settings import Settings
from drill.services.workspace import Workspace, open_workspace

ANKIWEB = "AnkiWeb"
LOGIN_FILE = "login.json"
STATE_FILE = "state.json"
NOTES_FILE = "notes.json"  # drill's notes by GUID at the last sync, with the decks' fingerprint
COLLECTION = "collection.anki2"


def mirror_folder(settings: Settings) -> Path:
    """The mirror beside drill's database: `drill.db` -> `drill-anki/`."""
    db = settings.db
    return db.with_name(f"{db.stem}-anki")


def server_of(settings: Settings, endpoint: str | None) -> str | None:
    """The sync server in effect: --endpoint, else `sync_url:`, else None (AnkiWeb)."""
    chosen = (endpoint or settings.sync_url or "").strip()
    if not chosen:
        return None
    if not chosen.startswith(("http://", "https://")):
        raise UsageError(f"--endpoint must be an http:// or https:// address, not '{chosen}'")
    return chosen if chosen.endswith("/") else chosen + "/"


# --------------------------------------------------------------------------- login


def _write_private(path: Path, data: dict[str, Any]) -> None:
    """A JSON file readable by the user alone (0600), replaced atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@dataclass(frozen=True)
class LoggedIn:
    server: str  # "AnkiWeb" or the server's address
    username: str
    key_file: Path


def login(
    settings: Settings, username: str, password: str, endpoint: str | None = None
) -> LoggedIn:
    """Log in to the sync server; keep its host key (never the password)."""
    from drill.anki import mirror

    server = server_of(settings, endpoint)
    where = server or ANKIWEB
    if not username.strip() or not password:
        raise UsageError("a user name and a password are needed to log in")
    folder = mirror_folder(settings)
    try:
        with mirror.Mirror(folder / COLLECTION) as col:
            auth = col.login(username.strip(), password, server, where)
    except mirror.MirrorError as err:
        raise DrillError(str(err)) from None
    key_file = folder / LOGIN_FILE
    _write_private(
        key_file,
        {"hkey": auth.hkey, "server": server, "endpoint": auth.endpoint, "user": username},
    )
    return LoggedIn(where, username.strip(), key_file)


def _auth(settings: Settings, server: str | None) -> Any:
    from drill.anki.mirror import Auth

    saved = _read_json(mirror_folder(settings) / LOGIN_FILE)
    where = server or ANKIWEB
    if not saved.get("hkey"):
        raise DrillError(f"not logged in to {where}: run drill sync --login")
    if saved.get("server") != server:
        was = saved.get("server") or ANKIWEB
        raise DrillError(f"logged in to {was}, not {where}: run drill sync --login")
    return Auth(str(saved["hkey"]), saved.get("endpoint") or server)


def _moved(settings: Settings, endpoint: str | None) -> None:
    """Remember the server's new address (AnkiWeb moves accounts between its servers)."""
    path = mirror_folder(settings) / LOGIN_FILE
    saved = _read_json(path)
    if endpoint and saved.get("endpoint") != endpoint:
        saved["endpoint"] = endpoint
        _write_private(path, saved)


# --------------------------------------------------------------------------- sync


@dataclass(frozen=True)
class SyncRequest:
    endpoint: str | None = None  # --endpoint
    prune: bool = False  # --prune: remove from Anki the notes whose id left the YAML
    full: str | None = None  # "download" | "upload": a full sync, already confirmed


@dataclass
class SyncResult:
    server: str = ANKIWEB
    full: str | None = None  # "downloaded" | "uploaded" when a full sync happened
    first: bool = False  # the mirror's first sync
    notes_added: int = 0
    notes_updated: int = 0
    notes_kept: int = 0  # in Anki, their id gone from the YAML (no --prune)
    notes_removed: int = 0  # --prune
    reviews_sent: int = 0
    reviews_received: int = 0
    reviews_matched: int = 0  # drill reviews found in Anki already (a run cut short)
    cards_sent: int = 0  # card schedules written to Anki
    cards_updated: int = 0  # drill cards whose schedule changed
    conflicts: list[str] = field(default_factory=list)  # replayed cards
    media_sent: int = 0
    media_received: int = 0
    skipped_files: list[Any] = field(default_factory=list)  # deck files with problems


Progress = Callable[[str], None]


class FullSyncNeeded(DrillError):
    """The server demands a full sync and the user did not say which way."""


def sync(
    settings: Settings,
    now: datetime,
    request: SyncRequest = SyncRequest(),  # noqa: B008 - a frozen value
    progress: Progress | None = None,
    confirm: Callable[[str], bool] | None = None,
) -> SyncResult:
    """One two-way sync (see the module docstring). `confirm` is asked before a full sync
    that `request.full` allows replaces one side."""
    from drill.anki import mirror

    say = progress or (lambda _message: None)
    server = server_of(settings, request.endpoint)
    result = SyncResult(server=server or ANKIWEB)
    try:
        mirror._anki()
        auth = _auth(settings, server)
        folder = mirror_folder(settings)
        with open_workspace(settings, now) as ws, mirror.Mirror(folder / COLLECTION) as col:
            _run(ws, col, auth, request, result, say, settings, confirm or (lambda _q: False))
    except mirror.FullSyncRequired as err:
        raise FullSyncNeeded(
            f"{err}: nothing was changed. To keep the server's collection (drill's reviews "
            "not yet in it are sent afterwards), run drill sync --force-download; to replace "
            "it with drill's copy, run drill sync --force-upload"
        ) from None
    except mirror.MirrorError as err:
        raise DrillError(str(err)) from None
    return result


def _run(
    ws: Workspace,
    col: Any,
    auth: Any,
    request: SyncRequest,
    result: SyncResult,
    say: Progress,
    settings: Settings,
    confirm: Callable[[str], bool],
) -> None:
    from drill.anki.mirror import Auth, FullSyncRequired
    from drill.services import history

    where = result.server
    state = _read_json(mirror_folder(settings) / STATE_FILE)
    say(f"syncing with {where}...")
    try:
        outcome = col.sync(auth, where, fresh=not state.get("synced"))
    except FullSyncRequired:
        if request.full is None or not confirm(_question(request.full, where)):
            raise
        outcome = col.sync(auth, where, full=request.full)
    result.first = not state.get("synced")
    # What the server changed since the last run carries this usn or later (rslib's sync).
    # A full sync replaced the mirror: everything in it is read, now and until a run ends.
    since = state.get("usn") if outcome.kind not in ("downloaded", "uploaded") else None
    if since is None and "usn" in state:
        state.pop("usn")
        _write_private(mirror_folder(settings) / STATE_FILE, state)
    usn = col.usn()
    if outcome.kind in ("downloaded", "uploaded"):
        result.full = outcome.kind
    if outcome.endpoint != auth.endpoint:
        auth = Auth(auth.hkey, outcome.endpoint)
        _moved(settings, outcome.endpoint)
    media_before = col.media_files()

    # Notes out. Unchanged deck folders (and every note still in the mirror) send nothing,
    # and the decks are not even read: drill's notes by GUID are those of the last run.
    fingerprint = _fingerprint(settings)
    notes_file = mirror_folder(settings) / NOTES_FILE
    saved = _read_json(notes_file) if state.get("fingerprint") == fingerprint else {}
    by_guid = {guid: history.NoteRef(*ref) for guid, ref in saved.get("notes", {}).items()}
    media_ours: set[str] = set()
    digest = state.get("digest")
    if not saved or len(col.note_ids(by_guid)) < len(by_guid):
        exported, result.skipped_files = _exported_notes(ws)
        by_guid = {note.guid: history.NoteRef(note.id, note.kind) for note in exported}
        digest = _digest(exported)
        if digest != state.get("digest") or len(col.note_ids(by_guid)) < len(by_guid):
            say(f"sending {len(exported)} notes...")
            added, updated, media_ours = _send_notes(col, exported)
            result.notes_added, result.notes_updated = added, updated
        saved = {}
    guids = set(by_guid)
    gone = set(state.get("guids", [])) - guids
    leaving = col.note_ids(gone) if gone else {}
    if request.prune:
        result.notes_removed = col.remove_notes(leaving.values())
    else:
        result.notes_kept = len(leaving)

    say("merging reviews...")
    plan = history.plan(ws, col.snapshot(since), ws.now, shared=True, notes=by_guid)
    sent, shared = _send_reviews(ws, col, plan, result, replaced=outcome.kind == "downloaded")
    say(f"syncing with {where}...")
    col.mark_modified()  # whatever a run cut short left unsent goes now too
    col.sync(auth, where)
    say("syncing media...")
    col.sync_media(auth, where)
    received = col.media_files() - media_before - media_ours
    result.media_received = len(received)
    result.media_sent = len(media_ours - media_before)

    report = history.apply(ws, plan, sent=sent, shared=shared)
    result.reviews_received = report.received
    result.reviews_matched = report.matched
    result.cards_updated = report.updated
    result.conflicts = report.replayed
    kept = (set(state.get("guids", [])) - set(leaving)) | guids if request.prune else guids | gone
    if not saved:
        _write_private(notes_file, {"notes": {guid: list(ref) for guid, ref in by_guid.items()}})
    _write_private(
        mirror_folder(settings) / STATE_FILE,
        {
            "synced": True,
            "usn": usn,
            "fingerprint": fingerprint,
            "digest": digest,
            "guids": sorted(kept),
        },
    )


def _question(full: str, where: str) -> str:
    if full == "download":
        return (
            f"{where} asks for a full sync. Replace drill's copy of the collection with the one "
            f"on {where}? (drill's reviews not yet there are sent again afterwards)"
        )
    return (
        f"{where} asks for a full sync. Replace the collection on {where} with drill's copy? "
        "Changes other devices made since their last sync will be lost"
    )


def _exported_notes(ws: Workspace) -> tuple[list[Any], list[Any]]:
    """drill's notes as `drill build` writes them (suspended notes left out, as there), from
    every deck file that can be read; the ones that cannot are skipped."""
    from drill.anki import package

    collection = ws.collection()
    usable = collection.without_broken()
    kept = [n for n in usable.notes if not n.suspended]
    exported = package.export_notes(kept, ws.store.note_changed_times(), ws.now)
    return exported, sorted(collection.problems)


def _fingerprint(settings: Settings) -> str:
    """Every file under the deck folders (deck files and media), by size and modification
    time, with drill's version and its note types': what the notes sent to Anki come from."""
    from drill import __version__
    from drill.anki.notetypes import NOTE_TYPE_VERSION, TEMPLATES_MTIME

    digest = hashlib.sha256(f"{__version__}:{NOTE_TYPE_VERSION}:{TEMPLATES_MTIME}".encode())
    for root in settings.deck_roots:
        digest.update(f"\0root:{root.resolve()}".encode())
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith((".", "__pycache__")))
            for name in sorted(files):
                try:
                    st = os.stat(os.path.join(folder, name))
                except OSError:
                    continue
                digest.update(f"\0{folder}/{name}:{st.st_size}:{st.st_mtime_ns}".encode())
    return digest.hexdigest()


def _digest(notes: list[Any]) -> str:
    """What the notes sent to Anki were: a rerun with the same digest sends nothing."""
    from drill.anki.notetypes import NOTE_TYPE_VERSION, TEMPLATES_MTIME

    digest = hashlib.sha256(f"{NOTE_TYPE_VERSION}:{TEMPLATES_MTIME}".encode())
    for note in sorted(notes, key=lambda n: n.guid):
        digest.update(
            repr(
                (
                    note.guid,
                    note.deck,
                    note.model_key,
                    note.fields,
                    note.tags,
                    note.mtime,
                    note.media,
                )
            ).encode("utf-8")
        )
    return digest.hexdigest()


def _send_notes(col: Any, exported: list[Any]) -> tuple[int, int, set[str]]:
    """Import drill's notes into the mirror as `drill build` packages them. Returns (added,
    updated, the media files the packages carry)."""
    from drill.anki import package

    added = updated = 0
    media = {name for note in exported for name, _ in note.media}
    with tempfile.TemporaryDirectory(prefix="drill-sync-") as folder:
        for written in package.write_packages(exported, Path(folder)):
            new, changed = col.import_package(written.path)
            added += new
            updated += changed
    return added, updated, media


def _send_reviews(
    ws: Workspace, col: Any, plan: Any, result: SyncResult, *, replaced: bool = False
) -> tuple[list[tuple[int, int]], list[tuple[str, Any]]]:
    """drill's answers Anki does not have into the mirror's review log, and the schedule of
    every card drill moved since the two last agreed (or replayed now) into its card row.
    `replaced`: the mirror was just replaced by the server's collection, which may lack
    reviews it once had (another device's full upload): those are sent again. Returns
    (review id, anki id) of the reviews sent and (card id, state) of the cards whose state
    Anki now holds."""
    from drill.anki.progress import CardProgress, Logged, card_columns, revlog_rows

    store = ws.store
    cid_of = {card_id: cid for cid, card_id in plan.cards.items()}
    merges = {m.card_id: m for m in plan.merges}
    adopted = {review_id for m in plan.merges for review_id, _ in m.adopt}
    unsent: dict[str, list[Any]] = {}
    missing: list[Any] = []
    if replaced:
        there = col.review_ids()
        missing = [r for r in store.reviews() if r.anki_id is not None and r.anki_id not in there]
    for record in sorted([*store.unsent_reviews(), *missing], key=lambda r: (r.reviewed_at, r.id)):
        if record.card_id in cid_of and record.id not in adopted:
            unsent.setdefault(record.card_id, []).append(record)
    revlog: list[tuple[int, ...]] = []
    review_ids: list[int] = []
    columns: dict[int, dict[str, Any]] = {}
    shared: list[tuple[str, Any]] = []
    moved_cards = store.moved_since_common()
    candidates = (set(unsent) | set(merges) | moved_cards) & set(cid_of)
    records = store.cards_by_id(candidates)
    for card_id in sorted(candidates):
        cid = cid_of[card_id]
        card = records[card_id]
        merge = merges.get(card_id)
        pending = unsent.get(card_id, [])
        rewritten = dict(merge.rewrite) if merge is not None else {}
        entries = [
            _logged(rewritten[r.id]) if r.id in rewritten else Logged.of_record(r) for r in pending
        ]
        suspended = card.suspended
        if merge is not None and merge.replayed:
            final, moved = merge.final, True
            suspended = bool(merge.suspended)
        elif merge is not None and merge.state is not None:  # Anki's state, taken
            final, moved = merge.state, False
        else:
            final = card.state
            moved = bool(entries) or card_id in moved_cards
        options = ws.options_for(card.deck).scheduler
        if entries:
            revlog.extend(revlog_rows(cid, entries, final, options))
            review_ids.extend(r.id for r in pending)
        if moved:
            values = card_columns(
                CardProgress(final, suspended, card.leech),
                options,
                ws.now,
                ws.config,
                day_of=plan.days.day,
            )
            if values is not None:
                columns[cid] = values
            shared.append((card_id, final))
    anki_ids, result.cards_sent = col.write(revlog, columns)
    result.reviews_sent = len(anki_ids)
    return list(zip(review_ids, anki_ids, strict=True)), shared


def _logged(row: Any) -> Any:
    from drill.anki.progress import Logged

    return Logged(
        reviewed_at=row.reviewed_at,
        rating=row.rating,
        kind=row.kind,
        before=row.before,
        phase_after=row.after.phase,
        interval_after=row.after.interval_days,
        ease_after=row.after.ease,
        due_after=row.after.due,
        answer_ms=row.answer_ms,
    )
