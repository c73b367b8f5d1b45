"""Reading Anki's files: an `.apkg` or `.colpkg` package, or a bare collection
(`collection.anki2`, `.anki21`, `.anki21b`).

A current Anki keeps the real collection zstd-compressed in `collection.anki21b` (its
`collection.anki2` is a stub asking for a newer Anki); older packages and genanki's hold it in
`collection.anki21` or `collection.anki2`. The newest one present is read. Note types are
JSON in `col.models` up to schema 11, and tables (`notetypes`, `fields`, `templates`, configs
as protobuf) from schema 18 on. The collection is opened read-only, from a temporary copy.
"""

from __future__ import annotations

import io
import json
import sqlite3
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
SQLITE_MAGIC = b"SQLite format 3\x00"


class AnkiFileError(Exception):
    """The file is not an Anki package or collection drill can read."""


@dataclass
class Template:
    name: str
    front: str  # qfmt
    back: str  # afmt


@dataclass
class NoteType:
    id: int
    name: str
    fields: list[str] = field(default_factory=list)
    cloze: bool = False
    templates: int = 0
    occlusion: bool = False  # Image Occlusion (Anki 23.10+)
    template_list: list[Template] = field(default_factory=list)
    css: str = ""

    def uses(self, field_name: str, filter_name: str) -> bool:
        """Whether a template shows the field through a filter (`{{furigana:Front}}`)."""
        needle = f"{filter_name}:{field_name}}}}}"
        return any(needle in t.front or needle in t.back for t in self.template_list)


class AnkiCard(NamedTuple):
    id: int
    note_id: int
    deck_id: int
    ord: int
    type: int  # 0 new, 1 learning, 2 review, 3 relearning
    queue: int  # 0 new, 1 learning, 2 review, 3 day learning, -1 suspended, -2/-3 buried
    due: int  # new: position; learning (queue 1): epoch seconds; else a day number
    ivl: int
    factor: int  # permille
    reps: int
    lapses: int
    left: int
    original_due: int  # in a filtered deck: the due it had
    original_deck_id: int
    data: str = ""


@dataclass(frozen=True)
class Revlog:
    id: int  # epoch milliseconds of the answer
    card_id: int
    ease: int  # 1-4; 0 for a manual reschedule
    ivl: int  # days, or negative seconds for a step
    last_ivl: int
    factor: int
    time: int  # milliseconds
    type: int  # 0 learn, 1 review, 2 relearn, 3 filtered, 4 manual, 5 rescheduled


@dataclass(frozen=True)
class AnkiNote:
    id: int
    guid: str
    notetype: NoteType
    fields: list[str]  # as stored: HTML
    tags: str


@dataclass
class AnkiFile:
    """An open, read-only Anki collection, and the package's media."""

    conn: sqlite3.Connection
    member: str  # where the collection was found ("collection.anki21b", or the file's name)
    note_types: dict[int, NoteType]
    media: dict[str, bytes] = field(default_factory=dict)  # file name -> its bytes
    created: int = 0  # col.crt: epoch seconds of day 0's start
    rollover: int = 4  # the hour the day starts
    creation_offset: int | None = None  # minutes west of UTC, when the collection says

    def decks(self) -> dict[int, str]:
        """Deck id -> name (`Parent::Child`)."""
        tables = _tables(self.conn)
        if "decks" in tables:
            return {
                i: str(n).replace("\x1f", "::")
                for i, n in self.conn.execute("SELECT id, name FROM decks")
            }
        (decks,) = self.conn.execute("SELECT decks FROM col").fetchone()
        return {int(i): d.get("name", "") for i, d in json.loads(decks or "{}").items()}

    def cards(self) -> list[AnkiCard]:
        rows = self.conn.execute(
            "SELECT id, nid, did, ord, type, queue, due, ivl, factor, reps, lapses, left, "
            "odue, odid, data FROM cards ORDER BY nid, ord"
        )
        return [AnkiCard._make((*row[:14], str(row[14] or ""))) for row in rows]

    def card_keys(self) -> list[tuple[int, int, int]]:
        """(card id, note id, template ordinal) of every card."""
        return [(c.id, c.note_id, c.ord) for c in self.cards()]

    def revlog(self) -> list[Revlog]:
        rows = self.conn.execute(
            "SELECT id, cid, ease, ivl, lastIvl, factor, time, type FROM revlog ORDER BY id"
        )
        return [Revlog(*row) for row in rows]

    def notes(self) -> Iterator[AnkiNote]:
        unknown = NoteType(0, "?")
        for nid, guid, mid, tags, flds in self.conn.execute(
            "SELECT id, guid, mid, tags, flds FROM notes ORDER BY id"
        ):
            yield AnkiNote(
                int(nid),
                str(guid),
                self.note_types.get(mid, unknown),
                str(flds).split("\x1f"),
                str(tags or ""),
            )


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def _varint(data: bytes, at: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if at >= len(data):
            raise ValueError("truncated protobuf varint")
        byte = data[at]
        at += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, at
        shift += 7


def _proto_fields(data: bytes) -> dict[int, list[int | bytes]]:
    """A protobuf message's fields by number, without its schema: varints as ints,
    length-delimited values (strings, bytes, nested messages) as bytes. Enough for the few
    config messages drill reads, and no protobuf dependency."""
    fields: dict[int, list[int | bytes]] = {}
    at = 0
    while at < len(data):
        key, at = _varint(data, at)
        number, wire = key >> 3, key & 7
        value: int | bytes
        if wire == 0:
            value, at = _varint(data, at)
        elif wire == 2:
            size, at = _varint(data, at)
            value, at = data[at : at + size], at + size
        elif wire == 1:
            value, at = int.from_bytes(data[at : at + 8], "little"), at + 8
        elif wire == 5:
            value, at = int.from_bytes(data[at : at + 4], "little"), at + 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        fields.setdefault(number, []).append(value)
    return fields


def _text(fields: dict[int, list[int | bytes]], number: int) -> str:
    values = fields.get(number)
    value = values[-1] if values else b""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _decompress(raw: bytes, member: str) -> bytes:
    import zstandard

    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)) as reader:
            return reader.read()
    except zstandard.ZstdError as err:
        raise AnkiFileError(f"cannot decompress {member}: {err}") from None


def _collection_bytes(path: Path, data: bytes) -> tuple[bytes, str, zipfile.ZipFile | None]:
    """The collection's SQLite bytes, where in the file they were, and the package."""
    if data.startswith(SQLITE_MAGIC):
        return data, path.name, None
    if data.startswith(ZSTD_MAGIC):
        return _decompress(data, path.name), path.name, None
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        names = set(package.namelist())
    except zipfile.BadZipFile:
        raise AnkiFileError("not an Anki package (an .apkg is a zip file)") from None
    member = next((n for n in COLLECTIONS if n in names), None)
    if member is None:
        raise AnkiFileError("holds no Anki collection (no collection.anki2*)")
    try:
        raw = package.read(member)
    except (zipfile.BadZipFile, OSError, ValueError) as err:
        raise AnkiFileError(f"cannot read {member}: {err}") from None
    if member.endswith("b") or raw.startswith(ZSTD_MAGIC):
        raw = _decompress(raw, member)
    return raw, member, package


def note_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    types: dict[int, NoteType] = {}
    if "notetypes" in _tables(conn):  # schema 18: note types in tables, configs as protobuf
        for ntid, name, config in conn.execute("SELECT id, name, config FROM notetypes"):
            parts = _proto_fields(bytes(config or b""))
            kind = parts.get(1, [0])[-1]
            types[ntid] = NoteType(ntid, name, cloze=kind == 1, css=_text(parts, 3))
        for ntid, _ord, name in conn.execute(
            "SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"
        ):
            if ntid in types:
                types[ntid].fields.append(name)
        for ntid, name, config in conn.execute(
            "SELECT ntid, name, config FROM templates ORDER BY ntid, ord"
        ):
            if ntid in types:
                parts = _proto_fields(bytes(config or b""))
                template = Template(name, _text(parts, 1), _text(parts, 2))
                notetype = types[ntid]
                notetype.templates += 1
                notetype.template_list.append(template)
                notetype.cloze |= "{{cloze:" in template.front
                notetype.occlusion |= "image-occlusion" in template.front + notetype.css
        return types
    (models,) = conn.execute("SELECT models FROM col").fetchone()
    for key, model in json.loads(models).items():
        fields = [f["name"] for f in sorted(model.get("flds", []), key=lambda f: f.get("ord", 0))]
        templates = model.get("tmpls", [])
        types[int(key)] = NoteType(
            int(key),
            model.get("name", ""),
            fields,
            model.get("type") == 1,
            len(templates),
            any("image-occlusion" in t.get("qfmt", "") for t in templates),
            [Template(t.get("name", ""), t.get("qfmt", ""), t.get("afmt", "")) for t in templates],
            model.get("css", ""),
        )
    return types


def _clock(conn: sqlite3.Connection) -> tuple[int, int, int | None]:
    """(col.crt, the rollover hour, creationOffset) of a collection."""
    (crt,) = conn.execute("SELECT crt FROM col").fetchone()
    rollover, offset = 4, None
    if "config" in _tables(conn):
        config = {k: v for k, v in conn.execute("SELECT key, val FROM config")}
        rollover = int(json.loads(config.get("rollover", b"4") or b"4"))
        if "creationOffset" in config:
            offset = int(json.loads(config["creationOffset"]))
    else:
        (conf,) = conn.execute("SELECT conf FROM col").fetchone()
        values = json.loads(conf or "{}")
        rollover = int(values.get("rollover", 4))
        offset = values.get("creationOffset")
    return int(crt), rollover, offset


def _media(package: zipfile.ZipFile | None, names: set[str]) -> dict[str, bytes]:
    """The package's media: the `media` map (JSON in older packages; zstd-compressed
    protobuf, with each file zstd-compressed too, in current ones) and each file's bytes."""
    if package is None or "media" not in names:
        return {}
    raw = package.read("media")
    current = raw.startswith(ZSTD_MAGIC)
    if current:
        entries = _proto_fields(_decompress(raw, "media")).get(1, [])
        mapping: dict[str, str] = {}
        for index, entry in enumerate(entries):
            if isinstance(entry, bytes):
                parts = _proto_fields(entry)
                # The zip member is the entry's index unless it names one (field 255).
                mapping[str(parts.get(255, [index])[0])] = _text(parts, 1)
    else:
        mapping = json.loads(raw.decode("utf-8") or "{}")
    found = {}
    for member, name in mapping.items():
        if member in names and name:
            data = package.read(member)
            if data.startswith(ZSTD_MAGIC):
                data = _decompress(data, member)
            found[name] = data
    return found


def _folder_media(path: Path) -> dict[str, bytes]:
    """A bare collection's media: the `collection.media` folder beside it."""
    folder = path.with_name(path.stem + ".media")
    if not folder.is_dir():
        return {}
    return {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}


@contextmanager
def open_anki(path: Path, data: bytes) -> Iterator[AnkiFile]:
    """The collection in a package (or a bare collection file), opened read-only.
    AnkiFileError when it cannot be read."""
    raw, member, package = _collection_bytes(path, data)
    with tempfile.TemporaryDirectory(prefix="drill-anki-") as folder:
        db_path = Path(folder) / "collection.sqlite"
        db_path.write_bytes(raw)
        try:
            conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        except sqlite3.Error as err:
            raise AnkiFileError(f"{member} is not a readable collection ({err})") from None
        conn.text_factory = lambda raw: raw.decode("utf-8", "replace")
        try:
            try:
                created, rollover, offset = _clock(conn)
                names = set(package.namelist()) if package is not None else set()
                media = _media(package, names) if package is not None else _folder_media(path)
                anki = AnkiFile(conn, member, note_types(conn), media, created, rollover, offset)
            except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError) as err:
                # A damaged or unexpected collection (JSONDecodeError is a ValueError).
                raise AnkiFileError(f"{member} is not a readable collection ({err})") from None
            yield anki
        finally:
            conn.close()
