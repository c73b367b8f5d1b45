"""Where an import's cards go: one deck file per deck, and the media folder beside them.

A CSV or a plain-text export names no deck, so `--deck` does, and the cards go into one file
(`--out`, default ./DECK.yaml). An Anki package names its decks: with one deck, its cards go
into one file as before (named after `--deck`, or after the deck); with several, `--out` is a
folder (default: named after the decks' common parent) with one file per deck, and `--deck`,
when given, takes the place of that common parent, so the `::` hierarchy is kept below it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from pathlib import Path

from drill.importers.common import ImportFailure, Item, Source
from drill.importers.package import MEDIA_FOLDER, PACKAGE_FORMAT
from drill.model import OriginalNoteType
from drill.names import file_slug

ANKI_DEFAULT_DECK = "Default"


@dataclass
class Target:
    deck: str
    out: Path
    items: list[Item] = field(default_factory=list)


def _parts(deck: str) -> list[str]:
    return [p.strip() for p in deck.split("::")]


def _common_root(decks: list[str]) -> list[str]:
    split = [_parts(d) for d in decks]
    root: list[str] = []
    for column in zip(*split, strict=False):
        if len({c.casefold() for c in column}) != 1:
            break
        root.append(column[0])
    return root


def plan(read: Source, deck: str | None, out: Path | None, stem: str) -> list[Target]:
    """The deck files this import writes, each with its items."""
    anki_decks = [item.deck for item in read.items]
    distinct = sorted({d for d in anki_decks if d}, key=str.casefold)
    if not distinct and read.format != PACKAGE_FORMAT:
        if deck is None:
            raise ImportFailure(
                f"--deck NAME is needed: the {read.format} names no deck (e.g. --deck Spanish)"
            )
        return [Target(deck, _file_for(out, deck), list(read.items))]
    if distinct == [ANKI_DEFAULT_DECK]:
        distinct = []  # Anki's catch-all deck: the package's own name says more
    root = _common_root(distinct)
    top = deck or "::".join(root) or _title(stem)

    def drill_deck(anki_deck: str | None) -> str:
        if not anki_deck or not distinct:
            return top
        parts = _parts(anki_deck)
        if deck is None:
            return "::".join(parts)
        return "::".join([deck, *parts[len(root) :]])

    names = {item_deck: drill_deck(item_deck) for item_deck in set(anki_decks)}
    several = len(set(names.values())) > 1
    if several and out is not None and out.suffix.lower() in (".yaml", ".yml"):
        listed = ", ".join(sorted(set(names.values()), key=str.casefold))
        raise ImportFailure(
            f"the package holds {len(set(names.values()))} decks ({listed}): --out must name "
            "a folder, for one deck file each"
        )
    folder = out or Path(file_slug(top))
    targets: dict[str, Target] = {}
    used: set[str] = set()
    for item in read.items:
        name = names[item.deck]
        target = targets.get(name)
        if target is None:
            if several:
                relative = name[len(top) + 2 :] if name.startswith(top + "::") else name
                slug = file_slug(relative)
                if slug in used:
                    slug += "-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:6]
                used.add(slug)
                path = folder / f"{slug}.yaml"
            else:
                path = _file_for(out, name)
            target = targets[name] = Target(name, path)
        target.items.append(item)
    return list(targets.values())


def _file_for(out: Path | None, deck: str) -> Path:
    """The one deck file: `--out` when it names a .yaml file, else a file named after the deck
    in `--out` (a folder) or in the working folder."""
    if out is not None and out.suffix.lower() in (".yaml", ".yml"):
        return out
    return (out or Path()) / f"{file_slug(deck)}.yaml"


def _title(stem: str) -> str:
    """A deck name from a file's name: `spanish_verbs` -> `Spanish verbs`."""
    words = stem.replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) or "Imported"


# --------------------------------------------------------------------------- media


def media_files(read: Source, targets: list[Target]) -> dict[Path, bytes]:
    """The media files to write: each folder's `media/` gets the files its decks' notes refer
    to. A file already there with other bytes (from another import) is not replaced: the new
    one gets a name of its own, and the notes that refer to it are changed to match."""
    wanted: dict[Path, bytes] = {}
    for target in targets:
        folder = target.out.parent / MEDIA_FOLDER
        renames: dict[str, str] = {}
        for item in target.items:
            for written in item.media:
                data = read.media[written]
                path = folder / written
                if _clashes(path, data):
                    digest = hashlib.sha1(data).hexdigest()[:8]
                    stem, dot, ext = written.rpartition(".")
                    renames[written] = f"{stem}-{digest}.{ext}" if dot else f"{written}-{digest}"
                    path = folder / renames[written]
                wanted[path] = data
        if renames:
            for item in target.items:
                _rename_media(item, renames)
        for name in sorted({item.notetype for item in target.items if item.notetype}):
            read.notetypes[name] = _notetype_media(read, read.notetypes[name], folder, wanted)
    return wanted


def _notetype_media(
    read: Source, notetype: OriginalNoteType, folder: Path, wanted: dict[Path, bytes]
) -> OriginalNoteType:
    """The files a kept note type's templates name, to write beside the deck; one that would
    replace another import's file gets a name of its own, and the templates and CSS are
    changed to match (they name their files as they are)."""
    renames: dict[str, str] = {}
    for written, _ in notetype.media:
        name = written.split("/", 1)[1]
        data = read.media[name]
        path = folder / name
        if _clashes(path, data):
            stem, dot, ext = name.rpartition(".")
            digest = hashlib.sha1(data).hexdigest()[:8]
            renames[name] = f"{stem}-{digest}.{ext}" if dot else f"{name}-{digest}"
            path = folder / renames[name]
            read.media[renames[name]] = data
        wanted[path] = data
    if not renames:
        return notetype

    def fix(text: str) -> str:
        for old, new in renames.items():
            text = text.replace(old, new)
        return text

    return replace(
        notetype,
        templates=tuple(
            replace(t, front=fix(t.front), back=fix(t.back)) for t in notetype.templates
        ),
        css=fix(notetype.css),
        media=tuple((fix(written), path) for written, path in notetype.media),
    )


def _clashes(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except FileNotFoundError:
        return False


def _rename_media(item: Item, renames: dict[str, str]) -> None:
    def fix(text: str) -> str:
        for old, new in renames.items():
            text = text.replace(f"{MEDIA_FOLDER}/{old}", f"{MEDIA_FOLDER}/{new}")
        return text

    item.fields = {k: fix(v) if isinstance(v, str) else v for k, v in item.fields.items()}
    item.extra = {k: fix(v) for k, v in item.extra.items()}
    if item.note:
        item.note = fix(item.note)
