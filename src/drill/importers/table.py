"""CSV and TSV files: a header row names drill fields, or `--columns` does."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from pathlib import Path

from drill.importers.anki_text import read_anki_text
from drill.importers.common import (
    ANKI_HEADER_RE,
    TEXT_EXTENSIONS,
    ImportFailure,
    Item,
    Source,
    csv_rows,
    decode,
    finish,
    split_list,
    split_tags,
)
from drill.kinds import COMMON_FIELDS, KINDS, unknown_kind
from drill.model import Problem
from drill.names import did_you_mean
from drill.paths import display_path

COLUMN_ALIASES = {
    "tag": "tags",
    "type": "kind",
    "guid": "id",
    "extra": "note",
    "notes": "note",
    "back_extra": "note",
    "pro": "pros",
    "con": "cons",
    "challenge": "challenges",
    "deep_dive": "deep_dives",
    "building_block": "building_blocks",
}
# Per row, when its kind has no field of that name: `question,answer` for basic cards.
ROW_ALIASES = {"question": "front", "answer": "back", "q": "front", "a": "back"}
ALL_FIELDS = {f for kind in KINDS.values() for f in kind.field_names}
KNOWN_COLUMNS = ALL_FIELDS | set(COMMON_FIELDS) | set(ROW_ALIASES)


def _column_name(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return COLUMN_ALIASES.get(key, key)


def _sniff(text: str, path: Path) -> str:
    sample = text[:65536]
    cut = sample.rfind("\n")
    if cut > 0:
        sample = sample[:cut]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",\t;|").delimiter
    except csv.Error:
        return "\t" if path.suffix.lower() in TEXT_EXTENSIONS else ","


def read_table(
    path: Path,
    data: bytes,
    *,
    kind: str | None,
    columns: Sequence[str] | None,
    header: bool = True,
) -> Source:
    """CSV or TSV: a header row names the fields, or `columns` does (the header row, if
    `header`, is then skipped). An Anki plain-text export is recognised by its `#` lines."""
    shown = display_path(path)
    text = decode(data, shown)
    if ANKI_HEADER_RE.match(text.split("\n", 1)[0].rstrip("\r")):
        return read_anki_text(path, text, kind=kind, columns=columns)
    if not header and not columns:
        raise ImportFailure("without a header row, --columns must name the columns")
    delimiter = _sniff(text, path)
    names: list[str] | None = None
    if columns:
        names = [_column_name(c) if c.strip() not in ("", "-") else "-" for c in columns]
        if not header:
            _check_columns(names, shown, 1, kind)
    items: list[Item] = []
    problems: list[Problem] = []
    notices: list[str] = []
    for line, cells in csv_rows(text, delimiter, shown, problems=problems):
        if not any(c.strip() for c in cells):
            continue  # blank rows are skipped
        if header:
            header = False
            if names is None:
                names = [_column_name(c) for c in cells]
                if not any(name in KNOWN_COLUMNS for name in names):
                    raise ImportFailure(_no_header(shown, cells))
            else:  # --columns named them: say which row was taken for the header
                notices.append(
                    f"Row {line} ({_cells_shown(cells)}) was taken as the header row; "
                    "with --no-header it is a card too."
                )
            _check_columns(names, shown, line, kind)
            continue
        assert names is not None
        item, row_problems = _table_item(names, cells, line, shown, kind)
        problems.extend(row_problems)
        if item is not None:
            items.append(item)
    if names is None or (not items and not problems):
        raise ImportFailure(f"{shown} has no rows to import")
    return Source("TSV" if delimiter == "\t" else "CSV", items, problems, notices=notices)


def _cells_shown(cells: list[str]) -> str:
    return " | ".join(c.strip()[:30] for c in cells[:4]) + (" | ..." if len(cells) > 4 else "")


def _no_header(shown: str, cells: list[str]) -> str:
    """The message for a file whose first row is a card, not a header."""
    guess = ",".join(["front", "back", "tags", "note"][: min(len(cells), 4)])
    return (
        f"{shown} has no header row: its first row reads as a card ({_cells_shown(cells)}). "
        f"Name the columns and keep that row: --columns {guess} --no-header (- skips a column)"
    )


def _check_columns(names: list[str], shown: str, line: int, kind: str | None) -> None:
    problems = []
    seen: set[str] = set()
    for name in names:
        if name == "-" or not name:
            continue
        if name not in KNOWN_COLUMNS:
            hint = did_you_mean(name, sorted(KNOWN_COLUMNS))
            problems.append(
                Problem(
                    shown,
                    line,
                    f"unknown column '{name}'{hint}: name drill fields "
                    f"({', '.join(sorted(ALL_FIELDS))}, id, kind, tags, source, note), "
                    "or map columns with --columns a,b,- (- skips one)",
                )
            )
        elif name in seen:
            problems.append(Problem(shown, line, f"column '{name}' appears twice"))
        seen.add(name)
    if not problems and "kind" not in seen:
        spec = KINDS[kind or "basic"]
        have = seen | {ROW_ALIASES[n] for n in seen if n in ROW_ALIASES}
        missing = [f.name for f in spec.fields if f.required and f.name not in have]
        if missing:
            problems.append(
                Problem(
                    shown,
                    line,
                    f"no column for {', '.join(missing)}: {spec.name} cards need "
                    f"{', '.join(f.name for f in spec.fields if f.required)} (columns: "
                    f"{', '.join(n for n in names if n != '-')}; --columns names them, "
                    "--kind picks another kind)",
                )
            )
    if problems:
        raise ImportFailure(f"{shown}: the columns do not name drill fields", problems)


def _table_item(
    names: list[str], cells: list[str], line: int, shown: str, kind: str | None
) -> tuple[Item | None, list[Problem]]:
    problems: list[Problem] = []

    def bad(message: str) -> tuple[None, list[Problem]]:
        problems.append(Problem(shown, line, message))
        return None, problems

    if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
        return bad(f"the row has {len(cells)} cells but there are {len(names)} columns")
    values = {
        name: cells[i].strip() if i < len(cells) else ""
        for i, name in enumerate(names)
        if name != "-"
    }
    row_kind = values.pop("kind", "") or kind or "basic"
    if row_kind not in KINDS:
        return bad(unknown_kind(row_kind))
    spec = KINDS[row_kind]
    item = Item(line, row_kind, {})
    for name, value in values.items():
        if name == "id":
            item.id = value or None
        elif name == "tags":
            item.tags = split_tags(value)
        elif name == "source":
            item.source = value or None
        elif name == "as_of":
            item.as_of = value or None
        elif name == "note":
            item.note = value or None
        elif name == "suspended":
            if value.lower() in ("true", "yes", "1", "y"):
                item.suspended = True
            elif value.lower() not in ("", "false", "no", "0", "n"):
                return bad(f"suspended '{value}' is not true or false")
        else:
            target = name if spec.field(name) else ROW_ALIASES.get(name, name)
            field_spec = spec.field(target)
            if field_spec is None:
                if value:
                    return bad(
                        f"`{name}` is not a field of {row_kind} cards "
                        f"({row_kind} fields: {', '.join(spec.field_names)})"
                    )
                continue
            if not value:
                continue
            if target in item.fields:
                return bad(f"two columns give `{target}`")
            item.fields[target] = split_list(value) if field_spec.type == "texts" else value
    return finish(item, shown, problems)
