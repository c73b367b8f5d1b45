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

COLLECTIONS = ("collection.anki21b", "collection.anki21", "collection.anki2")
ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
SQLITE_MAGIC = b"SQLite format 3\x00"


class AnkiFileError(Exception):
    """The file is not an Anki package or collection drill can read."""


@dataclass
class NoteType:
    id: int
    name: str
    fields: list[str] = field(default_factory=list)
    cloze: bool = False
    templates: int = 0
    occlusion: bool = False  # Image Occlusion (Anki 23.10+)


@dataclass(frozen=True)
class AnkiNote:
    id: int
    guid: str
    notetype: NoteType
    fields: list[str]  # as stored: HTML
    tags: str


@dataclass
class AnkiFile:
    """An open, read-only Anki collection."""

    conn: sqlite3.Connection
    member: str  # where the collection was found ("collection.anki21b", or the file's name)
    note_types: dict[int, NoteType]

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


def _decompress(raw: bytes, member: str) -> bytes:
    import zstandard

    try:
        with zstandard.ZstdDecompressor().stream_reader(io.BytesIO(raw)) as reader:
            return reader.read()
    except zstandard.ZstdError as err:
        raise AnkiFileError(f"cannot decompress {member}: {err}") from None


def _collection_bytes(path: Path, data: bytes) -> tuple[bytes, str]:
    """The collection's SQLite bytes, and where in the file they were."""
    if data.startswith(SQLITE_MAGIC):
        return data, path.name
    if data.startswith(ZSTD_MAGIC):
        return _decompress(data, path.name), path.name
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
    return raw, member


def note_types(conn: sqlite3.Connection) -> dict[int, NoteType]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    types: dict[int, NoteType] = {}
    if "notetypes" in tables:  # schema 18: note types in tables, configs as protobuf
        for ntid, name in conn.execute("SELECT id, name FROM notetypes"):
            types[ntid] = NoteType(ntid, name)
        for ntid, _ord, name in conn.execute(
            "SELECT ntid, ord, name FROM fields ORDER BY ntid, ord"
        ):
            if ntid in types:
                types[ntid].fields.append(name)
        for ntid, config in conn.execute("SELECT ntid, config FROM templates ORDER BY ntid, ord"):
            if ntid in types:
                blob = bytes(config or b"")
                types[ntid].templates += 1
                types[ntid].cloze |= b"{{cloze:" in blob
                types[ntid].occlusion |= b"image-occlusion" in blob
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
        )
    return types


@contextmanager
def open_anki(path: Path, data: bytes) -> Iterator[AnkiFile]:
    """The collection in a package (or a bare collection file), opened read-only.
    AnkiFileError when it cannot be read."""
    raw, member = _collection_bytes(path, data)
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
                anki = AnkiFile(conn, member, note_types(conn))
            except (sqlite3.Error, ValueError, TypeError, KeyError, AttributeError) as err:
                # A damaged or unexpected collection (JSONDecodeError is a ValueError).
                raise AnkiFileError(f"{member} is not a readable collection ({err})") from None
            yield anki
        finally:
            conn.close()
