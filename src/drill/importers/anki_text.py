"""Anki's "Notes in Plain Text" export, and the mapping of an Anki note's fields to a
drill kind (shared with packages)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from drill.importers.common import (
    ANKI_HEADER_RE,
    ImportFailure,
    Item,
    Source,
    anki_id,
    csv_rows,
    finish,
    split_tags,
)
from drill.importers.html import html_to_markdown, html_to_text, tidy
from drill.kinds import KINDS
from drill.model import Problem
from drill.paths import display_path

SEPARATORS = {"tab": "\t", "comma": ",", "semicolon": ";", "space": " ", "pipe": "|", "colon": ":"}


def kind_of_notetype(name: str, cloze: bool = False, templates: int = 1) -> str:
    """drill's kind for an Anki note type: Cloze → cloze, a reversed card type → reverse,
    anything else → basic (its first two fields as front and back)."""
    lowered = name.lower()
    if cloze or "cloze" in lowered:
        return "cloze"
    if templates >= 2 or ("revers" in lowered and "optional" not in lowered):
        return "reverse"
    return "basic"


def anki_item(
    line: int,
    kind: str,
    names: Sequence[str],
    values: Sequence[str],
    as_html: bool,
    shown: str,
) -> tuple[Item | None, list[Problem]]:
    """An item from an Anki note's fields. Fields named Front/Back (Text for a cloze) are
    used by name, else the first fields in order; other non-empty fields go to `note`."""
    texts = [html_to_text(v) if as_html else tidy(v) for v in values]
    lower = [n.strip().lower() for n in names] + [""] * (len(texts) - len(names))
    if kind == "reverse" and "add reverse" in lower and not texts[lower.index("add reverse")]:
        kind = "basic"  # "Basic (optional reversed card)" without its reverse card
    main = ["text"] if kind == "cloze" else ["front", "back"]
    item = Item(line, kind, {})
    used: set[int] = set()
    for position, name in enumerate(main):
        index = lower.index(name) if all(m in lower for m in main) else position
        item.fields[name] = texts[index] if index < len(texts) else ""
        used.add(index)
    rest = []
    for index, text in enumerate(texts):
        if index in used or not text or lower[index] in ("add reverse", "id"):
            continue  # `Id`: drill's own note types carry the drill id; the GUID is used
        if lower[index] == "source" and "\n" not in text:
            item.source = text
            continue
        label = names[index].strip() if index < len(names) else ""
        plain = lower[index] in ("", "back extra", "extra", "note", "notes")
        rest.append(text if plain else f"{label}: {text}")
    item.note = "\n\n".join(rest) or None
    return finish(item, shown, [])


# drill's own note types (`drill build`): "drill: tradeoff" with fields named after the kind's.
DRILL_NOTETYPE_RE = re.compile(r"^drill: ([a-z]+)$")


def drill_item(
    line: int,
    kind: str,
    names: Sequence[str],
    values: Sequence[str],
    shown: str,
    media: Callable[[str], str] | None = None,
) -> tuple[Item | None, list[Problem]]:
    """A note of one of drill's own note types, read back field by field (lists from their
    bullets), so `drill build` and then importing the package loses nothing: the Source
    field gives back `source` and `as_of` (`DDIA ch. 5 · as of 2026-11`). `media` turns a
    file name the package uses into the deck's path for it."""
    from drill.anki.notetypes import split_source

    by_name = {n: html_to_markdown(v, media) for n, v in zip(names, values, strict=False)}
    item = Item(line, kind, {})
    for spec in KINDS[kind].fields:
        text = by_name.get(spec.name.replace("_", " ").capitalize(), "")
        if not text:
            continue
        if spec.type == "texts":
            item.fields[spec.name] = [
                re.sub(r"^- ", "", x).strip() for x in text.split("\n") if x.strip()
            ]
        else:
            item.fields[spec.name] = text
    item.note = by_name.get("Note") or None
    item.source, item.as_of = split_source(by_name.get("Source", ""))
    return finish(item, shown, [])


def read_anki_text(
    path: Path, text: str, *, kind: str | None, columns: Sequence[str] | None
) -> Source:
    """Anki's "Notes in Plain Text" export (File > Export)."""
    shown = display_path(path)
    settings: dict[str, str] = {}
    lines = text.split("\n")
    body_start = 0
    for number, raw in enumerate(lines):
        m = ANKI_HEADER_RE.match(raw.rstrip("\r"))
        if not m:
            break
        settings[m.group(1).strip()] = m.group(2).strip()
        body_start = number + 1
    sep_setting = settings.get("separator", "tab")
    delimiter = SEPARATORS.get(sep_setting.lower(), sep_setting[:1] or "\t")
    as_html = settings.get("html", "false").lower() == "true"

    def column(name: str) -> int | None:
        value = settings.get(f"{name} column")
        if value is None:
            return None
        try:
            return int(value) - 1
        except ValueError:
            raise ImportFailure(
                f"{shown}: bad header", [Problem(shown, 1, f"#{name} column:{value}")]
            ) from None

    special = {
        "guid": column("guid"),
        "notetype": column("notetype"),
        "deck": column("deck"),
        "tags": column("tags"),
    }
    header_names = (
        [c.strip() for c in settings["columns"].split(delimiter)] if "columns" in settings else None
    )
    if columns:
        header_names = list(columns)
    fixed_notetype = settings.get("notetype")
    common_tags = split_tags(settings.get("tags", ""))
    body = "\n".join(lines[body_start:])
    items: list[Item] = []
    problems: list[Problem] = []
    skip = {i for i in special.values() if i is not None}
    for line, cells in csv_rows(body, delimiter, shown, first_line=body_start + 1):
        if not any(c.strip() for c in cells):
            continue

        def cell(index: int | None, cells: list[str] = cells) -> str:
            return cells[index] if index is not None and index < len(cells) else ""

        notetype = cell(special["notetype"]) or fixed_notetype or ""
        row_kind = kind or kind_of_notetype(notetype)
        names = []
        values = []
        for i, value in enumerate(cells):
            if i in skip:
                continue
            names.append(header_names[i] if header_names and i < len(header_names) else "")
            values.append(value)
        while values and not values[-1].strip():
            values.pop()
            names.pop()
        item, row_problems = anki_item(line, row_kind, names, values, as_html, shown)
        problems.extend(row_problems)
        if item is None:
            continue
        guid = cell(special["guid"]).strip()
        if guid:
            item.id = anki_id(guid)
        item.tags = list(dict.fromkeys(common_tags + split_tags(cell(special["tags"]))))
        items.append(item)
    return Source("Anki notes in plain text", items, problems)
