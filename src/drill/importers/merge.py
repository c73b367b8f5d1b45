"""Writing the deck file: items merged by id into an earlier import's output (or a new
file), written atomically; cards added by hand and `suspended:` flags are kept."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drill import authoring
from drill.importers.common import GENERATED, IMPORTED_KEYS, ImportFailure, Item, Report
from drill.importers.sources import read_source
from drill.kinds import KINDS, unknown_kind
from drill.model import Problem
from drill.names import file_slug
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
    preamble = "".join(lines[: key.start_mark.line])
    cards: list[dict[str, Any]] = []
    for item in seq.value:
        if not isinstance(item, yaml.MappingNode):
            raise broken(yamlnodes.line_of(item), "a card must be a mapping")
        card: dict[str, Any] = {}
        for key_node, value in item.value:
            name = getattr(key_node, "value", None)
            if not isinstance(name, str) or isinstance(value, yaml.MappingNode):
                raise broken(yamlnodes.line_of(key_node), "not a card field")
            if isinstance(value, yaml.SequenceNode):
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
    deck: str,
    out: Path,
    *,
    kind: str | None = None,
    columns: Sequence[str] | None = None,
    header: bool = True,
    skip_bad: bool = False,
    taken: Mapping[str, str] | None = None,
) -> Report:
    """Read `source`, merge its cards into `out` (made or updated) and write it atomically.
    `taken`: ids loaded from other deck files (id → where), which imported ids must avoid."""
    if kind is not None and kind not in KINDS:
        raise ImportFailure(unknown_kind(kind))
    if not deck.strip() or any(not p.strip() for p in deck.split("::")):
        raise ImportFailure(f"'{deck}' is not a deck name (no part between '::' may be empty)")
    shown = display_path(source)
    out_shown = display_path(out)
    read = read_source(source, kind=kind, columns=columns, header=header)
    taken = dict(taken or {})
    preamble = _header(shown, read.format, deck)
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
        preamble = _updated_preamble(old_preamble, shown, read.format, deck)
    report = Report(out, read.format)
    bad_lines = {p.line for p in read.problems}
    problems = list(read.problems)
    items = list(read.items)
    data = b""
    clean = False
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
            clean = True
            break
        problems.extend(row_problems)
        if not skip_bad:
            break
        drop = {p.line for p in row_problems} | bad_lines
        items = [i for i in items if i.line not in drop]
    problems = sorted(set(problems))
    if problems and not skip_bad:
        n = len(problems)
        raise ImportFailure(
            f"{n} problem{'s' if n != 1 else ''} in {shown}; nothing was written "
            "(--skip-bad leaves those rows out)",
            problems,
        )
    if not any(plan.origin):
        raise ImportFailure(f"no cards to import from {shown}; nothing was written", problems)
    if not clean:  # pragma: no cover - every pass drops the rows it found bad
        raise ImportFailure(f"the deck would not load; {out_shown} was not changed", problems)
    authoring.write_atomic(out, data)
    report.skipped = problems
    report.cards = len(plan.cards)
    report.added, report.updated = plan.added, plan.updated
    report.unchanged, report.kept = plan.unchanged, plan.kept
    return report


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


def out_path(deck: str, out: Path | None) -> Path:
    return out if out is not None else Path(f"{file_slug(deck)}.yaml")
