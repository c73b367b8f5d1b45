"""Writing the deck file: items merged by id into an earlier import's output (or a new
file), written atomically; cards added by hand and `suspended:` flags are kept."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drill import authoring
from drill.importers.common import (
    GENERATED,
    IMPORTED_KEYS,
    ImportFailure,
    Item,
    Report,
    Source,
)
from drill.importers.sources import read_source
from drill.importers.targets import Target, media_files
from drill.importers.targets import plan as targets_for
from drill.kinds import KINDS, unknown_kind
from drill.model import OriginalNoteType, Problem
from drill.paths import display_path


def _raw_cards(path: Path, text: str) -> tuple[str, list[dict[str, Any]]]:
    """An earlier import's output: the text before its `cards:` list, and each card's keys
    as authored (text, lists of text, `suspended` as a bool)."""
    import yaml

    from drill import yamlnodes

    shown = display_path(path)

    def broken(line: int, message: str) -> ImportFailure:
        return ImportFailure(
            f"{shown} cannot be updated; fix it first (drill check {shown}) or choose "
            "another --out",
            [Problem(shown, line, message)],
        )

    try:
        root = yamlnodes.compose(text)
    except yamlnodes.YamlError as err:
        raise broken(err.line, err.message) from None
    if not isinstance(root, yaml.MappingNode) or not root.value:
        raise broken(1, "not a deck file")
    key, seq = root.value[-1]
    if getattr(key, "value", None) != "cards" or not isinstance(seq, yaml.SequenceNode):
        raise broken(
            yamlnodes.line_of(key),
            "`cards:` is no longer the last key, so drill import cannot update this file "
            "(move `cards:` to the end)",
        )
    lines = text.splitlines(keepends=True)
    preamble_lines = lines[: key.start_mark.line]
    # The note types are written anew by every import: leave the old ones out.
    for (k, _), following in zip(root.value, root.value[1:], strict=False):
        if getattr(k, "value", None) == "anki_notetypes":
            first, after = k.start_mark.line, following[0].start_mark.line
            preamble_lines = preamble_lines[:first] + preamble_lines[after:]
    preamble = "".join(preamble_lines)
    cards: list[dict[str, Any]] = []
    for item in seq.value:
        if not isinstance(item, yaml.MappingNode):
            raise broken(yamlnodes.line_of(item), "a card must be a mapping")
        card: dict[str, Any] = {}
        for key_node, value in item.value:
            name = getattr(key_node, "value", None)
            if not isinstance(name, str):
                raise broken(yamlnodes.line_of(key_node), "not a card field")
            if isinstance(value, yaml.MappingNode):  # `extra:`
                if not all(
                    isinstance(k, yaml.ScalarNode) and isinstance(v, yaml.ScalarNode)
                    for k, v in value.value
                ):
                    raise broken(yamlnodes.line_of(value), f"`{name}` must map names to text")
                card[name] = {k.value: v.value for k, v in value.value}
            elif isinstance(value, yaml.SequenceNode):
                if not all(isinstance(v, yaml.ScalarNode) for v in value.value):
                    raise broken(yamlnodes.line_of(value), f"`{name}` must be a list of text")
                card[name] = [v.value for v in value.value]
            elif name == "suspended":
                card[name] = value.value.lower() in ("true", "yes", "on")
            else:
                card[name] = value.value
        cards.append(card)
    return preamble, cards


def _header(source: str, fmt: str, deck: str) -> str:
    return (
        f"# yaml-language-server: $schema={authoring.schema_url()}\n"
        f"{GENERATED} from {source} ({fmt}).\n"
        "# Importing it again updates these cards by id; cards you add and `suspended:` are\n"
        "# kept, edits to imported fields are replaced. Never change an id: review history\n"
        "# follows it.\n"
        f"deck: {authoring.scalar(deck, 2)}\n"
    )


def notetypes_yaml(notetypes: Iterable[OriginalNoteType]) -> str:
    """The `anki_notetypes:` block: the Anki note types of the file's imported notes."""
    listed = sorted(notetypes, key=lambda n: n.name.casefold())
    if not listed:
        return ""
    parts = [
        "anki_notetypes:\n"
        "  # The Anki note types these notes came from: drill build gives them back to Anki\n"
        "  # as they were, so Anki updates the notes in place. Leave them be.\n",
    ]
    for notetype in listed:
        entry: dict[str, Any] = {"name": notetype.name, "id": str(notetype.id)}
        if notetype.cloze:
            entry["cloze"] = True
        entry["fields"] = list(notetype.fields)
        entry["map"] = dict(notetype.to_drill)
        entry["templates"] = [
            {"name": t.name, "front": t.front, "back": t.back} for t in notetype.templates
        ]
        entry["css"] = notetype.css
        if notetype.media:
            entry["media"] = [written for written, _ in notetype.media]
        parts.append(authoring.card_yaml(entry, 2, 4))
    return "".join(parts)


def _main_key(card: Mapping[str, Any]) -> tuple[str, str]:
    kind = str(card.get("kind", "basic"))
    return kind, authoring.main_text(kind, card)


@dataclass
class _Plan:
    cards: list[dict[str, Any]]
    origin: list[Item | None]  # the item each card came from (None: kept from before)
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0


def _merge(
    items: Sequence[Item],
    existing: list[dict[str, Any]],
    taken: Mapping[str, str],
    shown: str,
) -> tuple[_Plan, list[Problem]]:
    problems: list[Problem] = []
    by_id = {str(c.get("id")): i for i, c in enumerate(existing)}
    cards: list[dict[str, Any]] = [dict(c) for c in existing]
    origin: list[Item | None] = [None] * len(existing)
    plan = _Plan(cards, origin)
    explicit: dict[str, int] = {}
    ok_items: list[Item] = []
    for item in items:
        if item.id is None:
            ok_items.append(item)
            continue
        if item.id in explicit:
            problems.append(
                Problem(
                    shown,
                    item.line,
                    f"duplicate id '{item.id}' (also at {shown}:{explicit[item.id]})",
                )
            )
            continue
        if item.id in taken:
            problems.append(
                Problem(shown, item.line, f"id '{item.id}' is already used at {taken[item.id]}")
            )
            continue
        explicit[item.id] = item.line
        ok_items.append(item)
    # Cards from an earlier import without a source id are found again by their question.
    by_text: dict[tuple[str, str], list[str]] = {}
    for card in existing:
        existing_id = str(card.get("id"))
        if existing_id not in explicit:
            by_text.setdefault(_main_key(card), []).append(existing_id)
    used = set(taken) | set(by_id) | set(explicit)
    claimed: set[str] = set()
    for item in ok_items:
        card_id: str | None = item.id
        if card_id is None:
            candidates = by_text.get(_main_key(item.card("x")), [])
            card_id = next((c for c in candidates if c not in claimed), None)
            if card_id is None:
                card_id = authoring.id_for(item.kind, item.fields, used)
        used.add(card_id)
        claimed.add(card_id)
        new = item.card(card_id)
        if card_id in by_id:
            index = by_id[card_id]
            old = existing[index]
            merged = {k: v for k, v in old.items() if k not in IMPORTED_KEYS and k != "suspended"}
            merged.update(new)
            if "suspended" in old and "suspended" not in new:
                merged["suspended"] = old["suspended"]
            ordered = {k: merged[k] for k in new}
            ordered.update({k: v for k, v in merged.items() if k not in ordered})
            if ordered == old:
                plan.unchanged += 1
            else:
                plan.updated += 1
            cards[index] = ordered
            origin[index] = item
        else:
            cards.append(new)
            origin.append(item)
            plan.added += 1
    plan.kept = sum(1 for o in origin if o is None)
    return plan, problems


def _emit(preamble: str, cards: Sequence[Mapping[str, Any]]) -> tuple[str, list[int]]:
    parts = [preamble, "cards:\n"]
    starts: list[int] = []
    line = preamble.count("\n") + 2
    for i, card in enumerate(cards):
        if i:
            parts.append("\n")
            line += 1
        block = authoring.card_yaml(card, 2, 4)
        starts.append(line)
        parts.append(block)
        line += block.count("\n")
    return "".join(parts), starts


def _without_gc(function):
    """Pause the cyclic garbage collector while `function` runs: a large import makes
    millions of short-lived YAML nodes and no cycles, and the collector's passes over them
    took half the time of a 50,000-row import."""
    import functools
    import gc

    @functools.wraps(function)
    def run(*args: Any, **kwargs: Any) -> Any:
        enabled = gc.isenabled()
        gc.disable()
        try:
            return function(*args, **kwargs)
        finally:
            if enabled:
                gc.enable()

    return run


@_without_gc
def import_source(
    source: Path,
    deck: str | None,
    out: Path | None,
    *,
    kind: str | None = None,
    columns: Sequence[str] | None = None,
    header: bool = True,
    skip_bad: bool = False,
    taken: Callable[[list[Path]], Mapping[str, str]] | Mapping[str, str] | None = None,
) -> list[Report]:
    """Read `source` and merge its cards into the deck files they go to (one per deck of an
    Anki package; see drill.importers.targets), each made or updated and written atomically,
    with the media they refer to. `taken`: ids loaded from other deck files (id -> where),
    which imported ids must avoid, or a function giving them for the files to be written.
    Nothing is written while there is a problem, unless `skip_bad` leaves those notes out."""
    if kind is not None and kind not in KINDS:
        raise ImportFailure(unknown_kind(kind))
    if deck is not None and (not deck.strip() or any(not p.strip() for p in deck.split("::"))):
        raise ImportFailure(f"'{deck}' is not a deck name (no part between '::' may be empty)")
    shown = display_path(source)
    read = read_source(source, kind=kind, columns=columns, header=header)
    targets = targets_for(read, deck, out, source.stem)
    outs = [t.out for t in targets]
    loaded = dict(taken(outs) if callable(taken) else (taken or {}))
    media = media_files(read, targets)
    # The media go first, so the deck files are checked as drill will load them; they are
    # taken back if nothing else is written.
    written_media = _write_media(media)
    try:
        drafts, problems = _drafts(targets, read, shown, loaded, skip_bad)
        if problems and not skip_bad:
            n = len(problems)
            raise ImportFailure(
                f"{n} problem{'s' if n != 1 else ''} in {shown}; nothing was written "
                "(--skip-bad leaves those rows out)",
                problems,
            )
        if not any(d.plan and any(d.plan.origin) for d in drafts):
            raise ImportFailure(f"no cards to import from {shown}; nothing was written", problems)
        for draft in drafts:
            if draft.plan is not None and draft.plan.cards:
                authoring.write_atomic(draft.target.out, draft.data)
    except BaseException:
        for path in written_media:
            path.unlink(missing_ok=True)
        raise
    return _reports(drafts, read, problems, media)


def _drafts(
    targets: list[Target],
    read: Source,
    shown: str,
    loaded: Mapping[str, str],
    skip_bad: bool,
) -> tuple[list[_Draft], list[Problem]]:
    drafts = []
    problems = list(read.problems)
    bad_lines = {p.line for p in read.problems}
    for target in targets:
        # An id may not be taken by another deck file, this import's other files included.
        others = dict(loaded)
        for other in targets:
            if other is not target:
                others.update((i.id, display_path(other.out)) for i in other.items if i.id)
        draft = _draft(target, read, shown, others, skip_bad, bad_lines)
        problems.extend(draft.problems)
        drafts.append(draft)
    return drafts, sorted(set(problems))


def _reports(
    drafts: list[_Draft], read: Source, problems: list[Problem], media: Mapping[Path, bytes]
) -> list[Report]:
    reports = []
    unplaced = list(problems)  # a note that could not be read at all belongs to no file
    for draft in drafts:
        if draft.plan is None or not draft.plan.cards:
            continue
        lines = {i.line for i in draft.target.items}
        report = Report(draft.target.out, read.format, deck=draft.target.deck)
        report.skipped = [p for p in problems if p.line in lines]
        unplaced = [p for p in unplaced if p.line not in lines]
        report.cards = len(draft.plan.cards)
        report.added, report.updated = draft.plan.added, draft.plan.updated
        report.unchanged, report.kept = draft.plan.unchanged, draft.plan.kept
        report.media = len({name for item in draft.target.items for name in item.media}) + len(
            {
                written
                for name in {i.notetype for i in draft.target.items if i.notetype}
                for written, _ in read.notetypes[name].media
            }
        )
        reports.append(report)
    if reports:  # what concerns the whole package goes with the first file
        first = reports[0]
        first.skipped = sorted(first.skipped + unplaced)
        first.notices = list(read.notices)
        first.scheduled, first.reviews = read.scheduled, read.reviews
    return reports


@dataclass
class _Draft:
    target: Target
    plan: _Plan | None
    data: bytes
    problems: list[Problem]


def _write_media(media: Mapping[Path, bytes]) -> list[Path]:
    """Write the media files not there yet; returns those written (to take back on failure)."""
    written = []
    for path, data in media.items():
        if path.exists():
            continue  # the same bytes (targets.media_files renamed any other)
        path.parent.mkdir(parents=True, exist_ok=True)
        authoring.write_atomic(path, data)
        written.append(path)
    return written


def _draft(
    target: Target,
    read: Source,
    shown: str,
    taken: Mapping[str, str],
    skip_bad: bool,
    bad_lines: set[int],
) -> _Draft:
    """The text of one deck file after the import, checked as drill would load it."""
    out = target.out
    out_shown = display_path(out)
    notetypes = {i.notetype: read.notetypes[i.notetype] for i in target.items if i.notetype}
    preamble = _header(shown, read.format, target.deck)
    existing: list[dict[str, Any]] = []
    if out.exists():
        try:
            old_text = out.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as err:
            raise ImportFailure(f"{out_shown}: cannot read: {err}") from None
        if GENERATED not in "".join(old_text.splitlines(keepends=True)[:5]):
            raise ImportFailure(
                f"{out_shown} exists and was not written by drill import; choose another --out "
                "(or use drill add to append cards to it)"
            )
        old_preamble, existing = _raw_cards(out, old_text)
        preamble = _updated_preamble(old_preamble, shown, read.format, target.deck)
        # A card the source no longer has is kept, and so is the note type it names.
        named = {str(c["notetype"]) for c in existing if c.get("notetype")} - set(notetypes)
        if named:
            from drill.content import read_deck_file

            earlier = read_deck_file(out, old_text.encode("utf-8")).notetypes
            notetypes.update((name, earlier[name]) for name in named if name in earlier)
    preamble += notetypes_yaml(notetypes.values())
    items = list(target.items)
    problems: list[Problem] = []
    data = b""
    plan = None
    for _attempt in range(3):
        plan, row_problems = _merge(items, existing, taken, shown)
        if plan.cards:
            text, starts = _emit(preamble, plan.cards)
            data = text.encode("utf-8")
            new_ids = [str(c["id"]) for c, o in zip(plan.cards, plan.origin, strict=True) if o]
            _, check = authoring.check_text(out, data, taken, new_ids)
            for p in check:
                index = bisect.bisect_right(starts, p.line) - 1
                item = plan.origin[index] if 0 <= index < len(plan.origin) else None
                if item is None:
                    raise ImportFailure(
                        f"the deck would not load; {out_shown} was not changed", [p]
                    )
                row_problems.append(Problem(shown, item.line, p.message))
        if not row_problems:
            return _Draft(target, plan, data, problems)
        problems.extend(row_problems)
        if not skip_bad:
            break
        drop = {p.line for p in row_problems} | bad_lines
        items = [i for i in items if i.line not in drop]
    return _Draft(target, plan, data, problems)


def _updated_preamble(preamble: str, shown: str, fmt: str, deck: str) -> str:
    """An earlier output's preamble, with its `Generated ... from` line and deck name brought
    up to date; any other line (a description, options, comments) stays as it is."""
    lines = preamble.splitlines(keepends=True)
    for i, line in enumerate(lines):
        if line.startswith(GENERATED):
            lines[i] = f"{GENERATED} from {shown} ({fmt}).\n"
        elif line.startswith("deck:"):
            lines[i] = f"deck: {authoring.scalar(deck, 2)}\n"
    return "".join(lines)


def columns_option(value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [c.strip() for c in value.split(",")]
