"""Writing deck files: `drill init` (a starter deck) and `drill add` (append one card).

A deck file is the user's text, so nothing here rewrites one through `yaml.dump`: `drill add`
appends text at the end of the `cards:` list and leaves every other byte alone (comments,
order, quoting, line endings). Values are quoted by YAML's own emitter one scalar at a time,
and the new file is checked with drill's loader before it replaces the old one (a temporary
file in the same folder, then `os.replace`), so a problem never leaves a half-written file.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from drill.content import read_deck_file
from drill.kinds import KINDS, add_options, cloze_answers, main_field, unknown_kind
from drill.model import Problem
from drill.names import file_slug, slug, unique_id
from drill.paths import display_path, schema_path


class AuthoringError(Exception):
    """A deck file could not be written: a message, and the problems found as
    `path:line: message` (printed before the message)."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()):
        self.message = message
        self.problems = sorted(problems)
        super().__init__("\n".join([*(str(p) for p in self.problems), message]))


# --------------------------------------------------------------------------- ids and slugs


def main_text(kind: str, fields: Mapping[str, Any]) -> str:
    """The text a card's generated id is made from (cloze deletions read as their answers)."""
    spec = KINDS.get(kind)
    value = fields.get(main_field(spec) if spec else "front") or ""
    if isinstance(value, (list, tuple)):
        value = " ".join(value)
    value = str(value)
    if spec is not None and spec.cloze:
        value = cloze_answers(value)
    return value


def duplicate_of(paths: Iterable[Path], kind: str, fields: Mapping[str, Any]) -> Any:
    """A loaded note of the same kind whose main text is the same (case and spacing aside),
    or None: Anki warns about duplicates, and so does `drill add`."""
    from drill.content import load

    def normal(text: str) -> str:
        return " ".join(text.casefold().split())

    wanted = normal(main_text(kind, fields))
    if not wanted:
        return None
    for note in load(paths).notes:
        if note.kind == kind and normal(main_text(kind, note.fields)) == wanted:
            return note
    return None


def id_for(kind: str, fields: Mapping[str, Any], taken: Iterable[str] | Mapping[str, Any]) -> str:
    """A new id for a card: a slug of its main text, unique against `taken`. Text without
    any ASCII letter or digit gets `<kind>-<hash of the text>`."""
    text = main_text(kind, fields)
    base = slug(text)
    prefix = KINDS[kind].id_prefix if kind in KINDS else ""
    if prefix and base:
        base = slug(f"{prefix} {text}")
    if not base:
        base = f"{kind}-{hashlib.sha1(text.encode('utf-8')).hexdigest()[:8]}"
    return unique_id(base, taken)


# --------------------------------------------------------------------------- YAML text


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _dump_one(value: str, style: str | None) -> str:
    out = yaml.safe_dump(
        value, default_style=style, allow_unicode=True, width=2**30, explicit_end=False
    )
    if out.endswith("\n...\n"):
        out = out[: -len("\n...\n")]
    return out.rstrip("\n")


_NOT_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`=~ ")
_NULLS = frozenset({"null", "Null", "NULL"})


def _plain_ok(value: str) -> bool:
    """Text that reads back as itself written plain (a fast, conservative check; anything
    else goes through YAML's emitter)."""
    return (
        bool(value)
        and value.isprintable()
        and value[0] not in _NOT_FIRST
        and value[-1] not in " :"
        and ": " not in value
        and " #" not in value
        and value not in _NULLS
    )


def scalar(value: Any, indent: int) -> str:
    """One value as YAML text for `key: <here>`: plain when that reads back as the same text,
    a `|-` block for multi-line text (lines indented by `indent`), single-quoted for other
    printable text, else double-quoted by YAML's own emitter. Booleans (for `suspended`) are
    written as `true`/`false`. Every branch reads back as exactly `value` (tested)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    value = str(value)
    if _plain_ok(value):
        return value
    if "\n" not in value:
        if value.isprintable():
            return "'" + value.replace("'", "''") + "'"
        return _dump_one(value, '"')
    # `|-` keeps no final line break, `|` keeps one (a template's, a style sheet's).
    clip = value.endswith("\n") and not value.endswith("\n\n")
    lines = (value[:-1] if clip else value).split("\n")
    first = next((line for line in lines if line), "")
    if (
        lines[-1]
        and not first[:1].isspace()
        and all(
            line.replace("\t", " ").isprintable() and (line.strip() or not line) for line in lines
        )
    ):
        pad = " " * indent
        return ("|\n" if clip else "|-\n") + "\n".join(pad + line if line else "" for line in lines)
    return _dump_one(value, '"')


# A tag that reads as itself unquoted in a flow list (no ':', ',', brackets, or null words).
_PLAIN_TAG = re.compile(r"(?!(?:null|Null|NULL|~)$)[A-Za-z0-9_][A-Za-z0-9_./+-]*")


def flow_item(value: str) -> str:
    """A value for a flow list (`[a, b]`): always double-quoted, so `,`, `]` and `#` are safe."""
    return _dump_one(str(value), '"')


def card_yaml(
    card: Mapping[str, Any],
    dash_col: int = 2,
    item_col: int | None = None,
    newline: str = "\n",
    keep_empty: bool = False,
) -> str:
    """A card as block YAML text: `- id: ...` at `dash_col`, its keys at `item_col`; lists as
    `- item` lines, mappings as `key: value` lines. Keys are written in the order given; empty
    values are left out (unless `keep_empty`: a template's empty side is still a side)."""
    item_col = dash_col + 2 if item_col is None else max(item_col, dash_col + 2)
    first = " " * dash_col + "-" + " " * (item_col - dash_col - 1)
    pad = " " * item_col
    lines: list[str] = []
    for key, value in card.items():
        if value is None or (value == "" and not keep_empty) or value == [] or value == ():
            continue
        lead = first if not lines else pad
        if key == "tags" and isinstance(value, (list, tuple)):
            tags = ", ".join(t if _PLAIN_TAG.fullmatch(t) else flow_item(t) for t in value)
            lines.append(f"{lead}{key}: [{tags}]")
        elif isinstance(value, Mapping):  # `extra:`, a note type's `map:`
            lines.append(f"{lead}{key}:")
            for name, text in value.items():
                lines.append(f"{pad}  {scalar(name, item_col + 4)}: {scalar(text, item_col + 4)}")
        elif isinstance(value, (list, tuple)):
            lines.append(f"{lead}{key}:")
            for item in value:
                if isinstance(item, Mapping):  # a note type's templates
                    block = card_yaml(item, item_col + 2, item_col + 4, keep_empty=True)
                    lines.append(block.rstrip("\n"))
                else:
                    lines.append(f"{pad}  - {scalar(item, item_col + 4)}")
        else:
            lines.append(f"{lead}{key}: {scalar(value, item_col + 2)}")
    return newline.join("\n".join(lines).split("\n")) + newline


# --------------------------------------------------------------------------- writing


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step: a temporary file in the same folder, then
    os.replace. The old file's permissions are kept."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:  # a new file: what open() would give it (mkstemp's is 0600)
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def check_text(path: Path, data: bytes, others: Mapping[str, str], new_ids: Iterable[str] = ()):
    """Problems drill would report for `path` holding `data`, plus clashes of `new_ids` with
    ids loaded from other files (`others`: id → where)."""
    deck_file = read_deck_file(path, data)
    problems = list(deck_file.problems)
    lines = {n.id: n.location.line for n in deck_file.notes}
    for note_id in new_ids:
        if note_id in others:
            problems.append(
                Problem(
                    deck_file.display,
                    lines.get(note_id, 0),
                    f"duplicate id '{note_id}' (also at {others[note_id]})",
                )
            )
    return deck_file, problems


def loaded_ids(paths: Iterable[Path], exclude: Path | Iterable[Path] = ()) -> dict[str, str]:
    """Every note id in the decks under `paths` (id → `path:line`), leaving out some files."""
    from drill.content import load
    from drill.paths import find_deck_files

    files, _ = find_deck_files(paths)
    skip = {p.resolve() for p in ([exclude] if isinstance(exclude, Path) else exclude)}
    if skip:
        files = [f for f in files if f.resolve() not in skip]
    collection = load(files)
    return {n.id: str(n.location) for n in collection.notes}


# --------------------------------------------------------------------------- drill add


@dataclass(frozen=True)
class Added:
    id: str
    line: int
    path: str


def build_card(
    kind: str,
    fields: Mapping[str, Any],
    *,
    card_id: str | None,
    taken: Mapping[str, str],
    tags: Sequence[str] = (),
    source: str | None = None,
    note: str | None = None,
) -> dict[str, Any]:
    """The card to write: id, kind, the kind's fields in their order, note, tags, source."""
    spec = KINDS[kind]
    if card_id is None:
        card_id = id_for(kind, fields, taken)
    card: dict[str, Any] = {"id": card_id, "kind": kind}
    for name in spec.field_names:
        if fields.get(name) not in (None, "", [], ()):
            card[name] = fields[name]
    if note:
        card["note"] = note
    if tags:
        card["tags"] = list(tags)
    if source:
        card["source"] = source
    return card


def _lines_with_ends(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def insertion_point(text: str, display: str) -> tuple[int, int, int, bool, str]:
    """Where a new card goes in a deck file's text: (character offset, dash column, key
    column, blank line before it, text to write first). A file without `cards:` (only
    `problems:`) gets `cards:` at its end; an empty `cards:` gets its first item on the next
    line. Raises AuthoringError when the file's shape does not allow appending text (a flow
    list, not a mapping)."""

    def refuse(line: int, message: str) -> AuthoringError:
        return AuthoringError(f"{display} was not changed", [Problem(display, line, message)])

    try:
        root = yaml.compose(text, Loader=_LOADER)  # libyaml, as drill reads decks
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark else 1
        raise refuse(line, f"YAML syntax error: {getattr(err, 'problem', err)}") from None
    if not isinstance(root, yaml.MappingNode):
        raise refuse(1, "not a deck file: expected `deck:` and `cards:` (drill init makes one)")
    keys = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode)]
    position = next((i for i, (k, _) in enumerate(keys) if k.value == "cards"), None)
    if position is None:
        if not any(k.value == "deck" for k, _ in keys):
            raise refuse(1, "not a deck file: no `deck:` (drill init makes one)")
        return len(text), 2, 4, True, "cards:\n"
    key, seq = keys[position]
    line = key.start_mark.line + 1
    lines = _lines_with_ends(text)
    if isinstance(seq, yaml.ScalarNode) and seq.tag.endswith(":null") and seq.value == "":
        return sum(len(x) for x in lines[:line]), 2, 4, False, ""  # `cards:` and nothing
    if not isinstance(seq, yaml.SequenceNode):
        raise refuse(line, "`cards:` must be a list (each card starts with '- ')")
    if seq.flow_style:
        raise refuse(
            line,
            "`cards:` is a flow list ([...]); drill add appends to a block list, one '- ' "
            "per card: rewrite it that way first",
        )
    dash_col = seq.start_mark.column
    first = seq.value[0]
    item_col = first.start_mark.column if isinstance(first, yaml.MappingNode) else dash_col + 2
    # Separate cards by a blank line when the file does.
    last = seq.value[-1]
    blank = False
    if len(seq.value) > 1:
        i = last.start_mark.line - 1
        while i >= 0 and lines[i].strip().startswith("#"):
            i -= 1
        blank = i >= 0 and not lines[i].strip()
    else:
        blank = first.start_mark.line != _end_line(first)
    if position == len(keys) - 1:
        return len(text), dash_col, item_col, blank, ""
    # Not the last key: insert before the next top-level key, above the blank lines and
    # column-0 comments that lead up to it.
    next_line = keys[position + 1][0].start_mark.line
    i = next_line
    while i > 0 and (not lines[i - 1].strip() or lines[i - 1].startswith("#")):
        i -= 1
    if i <= _end_line(last):
        i = _end_line(last) + 1
    return sum(len(x) for x in lines[:i]), dash_col, item_col, blank, ""


def _end_line(node: yaml.Node) -> int:
    """The 0-based line where a node's last character is."""
    while (
        isinstance(node, (yaml.MappingNode, yaml.SequenceNode))
        and node.value
        and not (node.flow_style)
    ):
        last = node.value[-1]
        node = last[1] if isinstance(last, tuple) else last
    mark = node.end_mark
    return mark.line - 1 if mark.column == 0 and mark.line > 0 else mark.line


def add_card(path: Path, card: Mapping[str, Any], others: Mapping[str, str]) -> Added:
    """Append `card` to the deck file at `path`, keeping every existing byte. The result is
    validated (and its id checked against `others`) before it replaces the file."""
    display = display_path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise AuthoringError(f"{display}: no such file (drill init DIR makes a deck)") from None
    except OSError as err:
        raise AuthoringError(f"{display}: cannot read: {err.strerror}") from None
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = raw[len(bom) :].decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: len(bom) + err.start].count(b"\n") + 1
        raise AuthoringError(
            f"{display} was not changed", [Problem(display, line, "not UTF-8 text")]
        ) from None
    offset, dash_col, item_col, blank, head = insertion_point(text, display)
    newline = "\r\n" if "\r\n" in text else "\n"
    before, after = text[:offset], text[offset:]
    lead = ""
    if before and not before.endswith("\n"):
        lead = newline
    if blank and before.strip():
        lead += newline
    lead += head.replace("\n", newline)
    block = card_yaml(card, dash_col, item_col, newline)
    data = bom + (before + lead + block + after).encode("utf-8")
    line = (before + lead).count("\n") + 1
    deck_file, problems = check_text(path, data, others, [card["id"]])
    if not problems and card["id"] not in {n.id for n in deck_file.notes}:
        problems.append(Problem(display, line, "the new card did not load (please report this)"))
    if problems:
        raise AuthoringError(f"the card was not added; {display} was not changed", problems)
    write_atomic(path, data)
    return Added(card["id"], line, display)


# --------------------------------------------------------------------------- drill init

# The starter deck's opening; the cards come from the kind table's examples (drill.kinds).
STARTER_HEAD = """\
# yaml-language-server: $schema={schema}
# A drill deck: one file, one deck. Edit these cards or replace them with your own, and run
# `drill check` after each edit: it prints every problem as path:line: message.
# Text is plain text with light Markdown (**bold**, `code`, "- " lists); < and & mean
# themselves. The whole format: docs/authoring.md in drill's repository.
deck: {deck}
# The line above names the deck; "::" nests decks, as in Anki (Languages::Spanish).
description: Starter cards, one of each kind. Replace them with your own.   # optional
tags: [starter]          # optional: tags added to every card of this file
# source: a book, a URL  # optional: the default `source` of every card
cards:
  # Every card has an `id`: stable and unique across all your decks. Review history is kept
  # per id, so never change or reuse one (after renaming an id, run `drill rename OLD NEW`).
  # `drill add {file} --kind basic --front ... --back ...` appends a card with a fresh id.
  # Every kind also takes `tags`, `source`, `as_of`, `note` (shown under the answer) and
  # `suspended: true` (keeps the card out of quizzes).
"""

STARTER_IDS = tuple(kind.example.id for kind in KINDS.values())


def _starter_value(value: Any) -> str:
    """A value as the starter deck writes it: text as YAML scalars, lists in flow style."""
    if not isinstance(value, (list, tuple)):
        return scalar(value, 6)
    items = [i if _plain_ok(i) and not set(i) & set(",[]{}") else flow_item(i) for i in value]
    return "[" + ", ".join(items) + "]"


def starter_cards(prefix: str) -> str:
    """One example note of each kind, as the kind table gives it, with its comments."""
    blocks = []
    for kind in KINDS.values():
        example = kind.example
        entries = [(f"id: {prefix}-{example.id}", ""), (f"kind: {kind.name}", "")]
        entries += [
            (f"{name}: {_starter_value(value)}", note) for name, value, note in example.fields
        ]
        width = max(len(text) for text, _ in entries)
        lines = [f"  # {line}" for line in example.comment]
        for i, (text, note) in enumerate(entries):
            line = ("  - " if i == 0 else "    ") + (f"{text:<{width}}  # {note}" if note else text)
            lines.append(line)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def schema_url() -> str:
    """The installed schema as a file:// URL, for the `yaml-language-server` line."""
    return schema_path().resolve().as_uri()


def default_deck_name(folder: Path) -> str:
    name = re.sub(r"[-_]+", " ", folder.resolve().name).strip() or "My Deck"
    return name[:1].upper() + name[1:]


@dataclass(frozen=True)
class Initialised:
    deck_file: Path
    deck: str
    cards: int


def starter_text(deck: str, file_name: str, taken: Mapping[str, str]) -> str:
    base = slug(deck, 20) or "my"
    prefix, n = base, 1
    while any(f"{prefix}-{s}" in taken for s in STARTER_IDS):
        n += 1
        prefix = f"{base}-{n}"
    head = STARTER_HEAD.format(schema=schema_url(), deck=scalar(deck, 2), file=file_name)
    return head + "\n" + starter_cards(prefix)


def init_deck(folder: Path, deck: str, taken: Mapping[str, str]) -> Initialised:
    """Create `folder` with a starter deck `<slug of deck>.yaml` (never overwriting one)."""
    if not deck.strip() or any(not part.strip() for part in deck.split("::")):
        raise AuthoringError(f"'{deck}' is not a deck name (no part between '::' may be empty)")
    if folder.exists() and not folder.is_dir():
        raise AuthoringError(f"{display_path(folder)} exists and is not a folder")
    path = folder / f"{file_slug(deck)}.yaml"
    exists = (
        f"{display_path(path)} exists already; drill init never overwrites a deck "
        "(--deck NAME makes another file)"
    )
    if path.exists():
        raise AuthoringError(exists)
    text = starter_text(deck, display_path(path, anchored=True), taken)
    data = text.encode("utf-8")
    deck_file, problems = check_text(path, data, taken, [])
    if problems:  # pragma: no cover - the starter deck is tested
        raise AuthoringError("the starter deck has problems (please report this)", problems)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        # "x": never overwrite, even a file made a moment ago by someone else.
        with open(path, "xb") as handle:
            handle.write(data)
    except FileExistsError:
        raise AuthoringError(exists) from None
    return Initialised(path, deck_file.deck or deck, len(deck_file.notes))


# --------------------------------------------------------------------------- fields for add


OPTION_OF = {o.field: o.option for o in add_options() if o.field}


def fields_from_options(values: Mapping[str, Any]) -> dict[str, Any]:
    """`drill add`'s option values (by parameter name) as kind fields, the given ones only."""
    by_parameter = {o.parameter: o for o in add_options() if o.field}
    return {
        by_parameter[name].field: value  # type: ignore[misc]
        for name, value in values.items()
        if value and name in by_parameter
    }


def check_options(kind: str | None, given: Mapping[str, Any]) -> str:
    """The kind to add (default basic); AuthoringError when an option does not belong to it."""
    name = kind or "basic"
    if name not in KINDS:
        raise AuthoringError(unknown_kind(name))
    spec = KINDS[name]
    for field_name in given:
        if spec.field(field_name) is None:
            owners = [k.name for k in KINDS.values() if k.field(field_name)]
            raise AuthoringError(
                f"{OPTION_OF[field_name]} is not a field of {name} cards "
                f"(it belongs to {' and '.join(owners)} cards: add --kind {owners[0]}); "
                f"{name} fields: {', '.join(spec.field_names)}"
            )
    return name


def ask_missing(kind: str, fields: dict[str, Any], read_line, write) -> dict[str, Any]:
    """Ask for each required field that is missing, one line each from `read_line` (a list
    field: one item per line, an empty line ends it). Works through a pipe; AuthoringError
    when the input ends first."""
    fields = dict(fields)
    for spec in KINDS[kind].fields:
        if not spec.required or fields.get(spec.name):
            continue
        option = OPTION_OF[spec.name]
        if spec.type == "texts":
            write(f"{spec.name} ({spec.help}; one per line, an empty line ends the list):\n")
            items: list[str] = []
            while True:
                write(f"  {len(items) + 1}. ")
                line = read_line()
                if line == "" and not items:
                    raise AuthoringError(f"no {option} given, and the input ended")
                if not line.strip():
                    if items:
                        break
                    continue
                items.append(line.strip())
            fields[spec.name] = items
        else:
            while True:
                write(f"{spec.name} ({spec.help}): ")
                line = read_line()
                if line == "":
                    raise AuthoringError(f"no {option} given, and the input ended")
                if line.strip():
                    fields[spec.name] = line.strip()
                    break
    return fields


def ask_kind(read_line, write) -> str:
    write(f"kind ({', '.join(KINDS)}) [basic]: ")
    line = read_line()
    return line.strip() or "basic"
