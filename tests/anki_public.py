"""What Anki itself makes of an Anki package: the reference that drill's importer tests compare
against. `inspect` imports a package (.apkg, .colpkg) into a fresh collection with the real
`anki` backend, or opens a copy of a bare collection (.anki2, .anki21), and reports what is in
it as Anki has it.

The public decks themselves are data fetched from other people's repositories, so they live in
the shared folder beside the repository (`shared/anki-public/`), not in it; the README beside
this module's fixtures (tests/fixtures/anki-public/README.md) says where each one came from."""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import TypedDict

from anki.collection import Collection, ImportAnkiPackageOptions, ImportAnkiPackageRequest
from anki.models import NotetypeId

REPO = Path(__file__).resolve().parents[1]
# ANKI_PUBLIC_DECKS points elsewhere, e.g. at a copy not yet moved into shared/.
PUBLIC_DECKS = Path(os.environ.get("ANKI_PUBLIC_DECKS", REPO.parent / "shared" / "anki-public"))
README = REPO / "tests" / "fixtures" / "anki-public" / "README.md"
BARE_COLLECTIONS = (".anki2", ".anki21")


class NoteInfo(TypedDict):
    guid: str
    notetype: str
    fields: dict[str, str]  # in the note type's field order, HTML as Anki stores it
    tags: list[str]
    decks: list[str]  # the decks of the note's cards
    cards: int


class PackageInfo(TypedDict):
    notes: int
    cards: int
    decks: list[str]  # decks that hold cards, `::` for the hierarchy
    notetypes: dict[str, list[str]]  # the notes' note types and their field names
    media: list[str]  # files in the media folder once Anki has the package
    reviews: int  # review-log rows
    scheduled: int  # cards that are not new
    suspended: int
    note_list: list[NoteInfo]


class Listed(TypedDict):
    """A row of the README's table: a file and what Anki reads in it."""

    file: str
    sha256: str
    counts: dict[str, int]


COUNTED = ("notes", "cards", "media", "notetypes", "decks", "reviews", "scheduled", "suspended")
ROW = re.compile(rf"^\| `([^`]+)` \| ([0-9a-f]{{64}}) \|((?: \d+ \|){{{len(COUNTED)}}})$")


def listed() -> list[Listed]:
    """The fixtures the README lists, with the sha256 and counts it gives for each."""
    rows = (ROW.match(line) for line in README.read_text(encoding="utf-8").splitlines())
    return [
        Listed(
            file=row[1],
            sha256=row[2],
            counts=dict(zip(COUNTED, map(int, row[3].strip(" |").split(" | ")), strict=True)),
        )
        for row in rows
        if row
    ]


def counts(info: PackageInfo) -> dict[str, int]:
    """`info`'s numbers in the README's columns."""
    return {
        "notes": info["notes"],
        "cards": info["cards"],
        "media": len(info["media"]),
        "notetypes": len(info["notetypes"]),
        "decks": len(info["decks"]),
        "reviews": info["reviews"],
        "scheduled": info["scheduled"],
        "suspended": info["suspended"],
    }


def inspect(path: Path) -> PackageInfo:
    """Anki's view of the package at `path`, read in a temporary collection."""
    with tempfile.TemporaryDirectory() as work:
        col = _open(path, Path(work))
        try:
            return _report(col)
        finally:
            col.close()


def _open(path: Path, work: Path) -> Collection:
    copy = work / "collection.anki2"  # Anki names the media folder after a `.anki2` file
    if path.suffix in BARE_COLLECTIONS:
        shutil.copyfile(path, copy)
        media = path.with_suffix(".media")
        if media.is_dir():
            shutil.copytree(media, work / "collection.media", dirs_exist_ok=True)
        return Collection(str(copy))
    col = Collection(str(copy))
    _clear_notetypes(col)
    options = ImportAnkiPackageOptions(with_scheduling=True, with_deck_configs=False)
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(path), options=options))
    return col


def _clear_notetypes(col: Collection) -> None:
    """A fresh collection's stock note types would make Anki rename the package's ("Basic+"):
    remove them, and rename the one Anki insists on keeping."""
    *extra, last = [NotetypeId(nt.id) for nt in col.models.all_names_and_ids()]
    for ntid in extra:
        col.models.remove(ntid)
    kept = col.models.get(last)
    assert kept is not None
    kept["name"] = "(fresh collection)"
    col.models.save(kept)


def _report(col: Collection) -> PackageInfo:
    notes: list[NoteInfo] = []
    notetypes: dict[str, list[str]] = {}
    for nid in sorted(col.find_notes("")):
        note = col.get_note(nid)
        notetype = note.note_type()
        assert notetype is not None
        notetypes[notetype["name"]] = [field["name"] for field in notetype["flds"]]
        cards = note.cards()
        notes.append(
            NoteInfo(
                guid=note.guid,
                notetype=notetype["name"],
                fields=dict(note.items()),
                tags=list(note.tags),
                decks=sorted({col.decks.name(card.did) for card in cards}),
                cards=len(cards),
            )
        )
    db = col.db
    assert db is not None
    media = Path(col.media.dir())
    return PackageInfo(
        notes=len(notes),
        cards=col.card_count(),
        decks=sorted({deck for note in notes for deck in note["decks"]}),
        notetypes=notetypes,
        media=sorted(p.name for p in media.iterdir() if p.is_file()) if media.is_dir() else [],
        reviews=db.scalar("select count() from revlog"),
        scheduled=db.scalar("select count() from cards where type != 0"),
        suspended=db.scalar("select count() from cards where queue = -1"),
        note_list=notes,
    )
