"""Loading deck files: YAML in, validated notes and cards out, every problem as `path:line`.

One file holds one deck:

    deck: System Design::Estimation     # "::" nests, as in Anki
    description: ...                    # optional
    tags: [estimation]                  # optional, added to every note
    source: ...                         # optional default `source` for every note
    cards:
      - id: seconds-per-day
        kind: number
        ...

Loading never stops at the first problem: `load()` returns every problem found in every file,
so `drill check` can report them all at once.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from drill import yamlnodes
from drill.kinds import COMMON_FIELDS, DEFAULT_KIND, KINDS, Field, Kind, sides, unknown_kind
from drill.model import (
    AnkiTemplate,
    Card,
    Collection,
    ContentError,
    Location,
    Note,
    OriginalNoteType,
    Problem,
)
from drill.names import TAG_RE, card_id_problem, did_you_mean, id_problem
from drill.paths import display_path, find_deck_files
from drill.yamlnodes import YamlError, line_of

DEFAULT_ORDER = 100
AS_OF_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")

DECK_KEYS = {
    "deck": "the deck name; '::' nests decks, as in Anki",
    "description": "what the deck is about",
    "tags": "tags added to every card of the file",
    "source": "default `source` for every card of the file",
    "as_of": "default `as_of` for every card of the file (when its facts were checked)",
    "cards": "the notes of this deck",
    "problems": "estimation problem templates: generated questions with computed answers",
    "options": "study options for this deck (new_per_day, learning_steps, ...)",
    "order": "where this file's new cards come in the study order: lower first (default "
    "100); files of one order come in path order",
    "renamed": "ids this file's notes or cards had before (old-id: new-id, or "
    "old-id/c1: new-id for one card); their review history moves at the next sync",
    "anki_notetypes": "the Anki note types this file's imported notes came from (written by "
    "drill import; leave them be): drill build gives Anki back the same note types",
}
# The keys of one entry of `anki_notetypes:`.
NOTETYPE_KEYS = {
    "name": "the note type's name in Anki",
    "id": "its id in Anki",
    "cloze": "true for a cloze note type",
    "fields": "its fields, in Anki's order",
    "map": "which drill field each Anki field fills (the others are the note's `extra:`)",
    "templates": "its card templates: name, front, back (Anki's qfmt and afmt)",
    "css": "its styling",
    "media": "the files its templates or styling use (fonts, scripts: Anki names them with a "
    "leading _), beside the deck (media/_font.ttf); drill build packs them under their own names",
}
# The drill fields an Anki field can fill: a kind's text fields, and these common ones.
MAPPABLE_COMMON = ("note", "source")
# A note's keys that are not the kind's own fields.
_NOTE_KEYS = frozenset(
    ("id", "kind", "tags", "source", "suspended", "as_of", "guid", "notetype", "extra")
)


def read_deck_file(path: Path, data: bytes | None = None) -> DeckFile:
    """Read and validate one deck file (from `data` when the caller already has its bytes)."""
    display = display_path(path)
    reader = DeckFile(display, path.resolve().parent)
    try:
        raw = path.read_bytes() if data is None else data
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        reader.problem(1, f"not UTF-8 text ({err.reason})")
        return reader
    except OSError as err:
        reader.problem(0, f"cannot read: {err.strerror}")
        return reader
    reader.read(text)
    return reader


def load(paths: Iterable[Path]) -> Collection:
    """Load every deck file under `paths`; problems are collected, never raised."""
    files, problems = find_deck_files(paths)
    collection = Collection(problems=problems)
    first_seen: dict[str, Location] = {}
    notetypes: dict[int, OriginalNoteType] = {}
    for path in files:
        deck_file = read_deck_file(path)
        collection.files.append(deck_file.display)
        collection.problems.extend(deck_file.problems)
        for notetype in deck_file.notetypes.values():
            # One id is one note type in Anki: two files must agree on it.
            earlier = notetypes.setdefault(notetype.id, notetype)
            if not earlier.same_as(notetype):
                collection.problems.append(
                    Problem(
                        deck_file.display,
                        notetype.location.line,
                        f"note type '{notetype.name}' (id {notetype.id}) differs from the one "
                        f"at {earlier.location}; Anki can have only one: make them the same",
                    )
                )
        if deck_file.deck is not None and deck_file.deck not in collection.decks:
            collection.decks[deck_file.deck] = Location(deck_file.display, deck_file.deck_line)
        # Cards and problem templates share one id space.
        for item in deck_file.items():
            if item.id in first_seen:
                collection.problems.append(
                    Problem(
                        deck_file.display,
                        item.location.line,
                        f"duplicate id '{item.id}' (also at {first_seen[item.id]})",
                    )
                )
                continue
            first_seen[item.id] = item.location
            if isinstance(item, Note):
                collection.notes.append(item)
                collection.cards.extend(cards_of(item))
            else:
                collection.templates.append(item)
    if any(t.decision is not None for t in collection.templates):
        collection.problems.extend(check_citations(collection.templates, collection.cards)[0])
    return collection


def check_citations(templates: Iterable[Any], cards: Iterable[Card]) -> tuple[list[Problem], list]:
    """Each decision threshold's `cite` checked against the cards: a number card whose
    answer is not the threshold's value (at the template's defaults, within the card's
    tolerance) is a problem. Returns (problems, the (template, threshold) pairs whose cite
    no card has): a template may cite a card of a deck file not loaded (drill check looks
    for those in every deck folder in effect)."""
    from drill.formula import FormulaError
    from drill.kinds import DEFAULT_TOLERANCE

    by_id: dict[str, Card] = {}
    for c in cards:  # a note id cites the note's first card (a cloze's c1)
        by_id.setdefault(c.note_id, c)
        by_id[c.id] = c
    problems: list[Problem] = []
    unresolved = []
    for template in templates:
        decision = template.decision
        if decision is None or not any(t.cite for t in decision.thresholds):
            continue
        try:
            limits = template.instance().decision.limits
        except (FormulaError, ValueError):
            continue  # the template's own check reports why it cannot be computed
        for threshold, limit in zip(decision.thresholds, limits, strict=True):
            if not threshold.cite:
                continue
            card = by_id.get(threshold.cite)
            if card is None:
                unresolved.append((template, threshold))
                continue
            message = _citation_mismatch(threshold.cite, card, limit, DEFAULT_TOLERANCE)
            if message is not None:
                problems.append(Problem(template.location.path, threshold.line, message))
    return problems, unresolved


def _citation_mismatch(cite: str, card: Card, limit: Any, default_tolerance: float) -> str | None:
    answer = card.answer
    if answer is None:
        return None  # a card without a number to compare (a cloze, a basic card)
    shown = card.answer_text or answer.format()
    if not answer.same_dimension(limit):
        return (
            f"threshold {limit.format()} cites '{cite}', whose answer {shown} is a "
            f"{answer.dimension_name}, not a {limit.dimension_name}"
        )
    tolerance = card.tolerance if card.tolerance is not None else default_tolerance
    if answer.value == limit.value:
        return None
    if (
        answer.value <= 0
        or limit.value <= 0
        or (max(answer.value / limit.value, limit.value / answer.value) > 1 + tolerance + 1e-9)
    ):
        return (
            f"threshold {limit.format()} cites '{cite}', whose answer is {shown}: more than "
            f"the card's tolerance ({tolerance:.0%}) apart"
        )
    return None


FAMILY_TAG = "family::"  # a problem card's family, as a tag: drill stats times each family


def cards_for(item: Any) -> list[Card]:
    """The cards of a note, or the one card that schedules a problem template."""
    return cards_of(item) if isinstance(item, Note) else [template_card(item)]


def template_card(template: Any) -> Card:
    """A problem template studied as one card (kind `problem`): each review draws fresh
    numbers, so the card's text is the title; its hash covers the whole definition."""
    import hashlib

    definition = repr(
        (
            template.title,
            template.question,
            template.params,
            template.values,
            template.answers,
            template.hints,
            template.tags,
            template.source,
            template.family,
            template.scenario,
            template.constraints,
            template.decision,
        )
    )
    family = (f"{FAMILY_TAG}{template.family}",) if template.family else ()
    return Card(
        id=template.id,
        note_id=template.id,
        kind="problem",
        deck=template.deck,
        front=template.title,
        back="(worked out at each review)",
        tags=tuple(dict.fromkeys(template.tags + family)),
        source=template.source,
        suspended=template.suspended,
        location=template.location,
        content_hash=hashlib.sha1(definition.encode("utf-8")).hexdigest()[:16],
    )


def cards_of(note: Note) -> list[Card]:
    """The cards a note yields, with ids derived from the note id.

    Each card's `content_hash` covers everything authored about its note (fields, tags,
    source: the store dates edits by it, and the Anki export re-dates the note) plus the text
    the card shows. The note's part is hashed once, not once per card."""
    import hashlib

    kind = KINDS[note.kind]
    number = kind.typed == "quantity"  # the answer is typed: parsed once, graded as a quantity
    answer = None
    if number:
        from drill import quantity

        answer = quantity.parse(note.fields["answer"])
    # repr of plain values (text, numbers, tuples of text) is stable and quicker than JSON.
    authored = repr((note.kind, sorted(note.fields.items()), note.tags, note.source))
    if note.extra:  # only when set, so other cards keep their hashes
        authored += f"\x1fextra={note.extra!r}"
    if note.as_of:  # only when set, so older cards keep their hashes
        authored += f"\x1fas_of={note.as_of}"
    note_hash = hashlib.sha1(authored.encode("utf-8"))
    cards = []
    shown_extra = note.fields.get("note")
    if note.extra:  # an imported note's other fields, each under its name
        lines = [f"**{label}:** {text}" for label, text in note.extra if text]
        shown_extra = "\n\n".join([shown_extra, *lines] if shown_extra else lines) or None
    for side in sides(kind, note.fields, as_anki=note.notetype is not None):
        card_hash = note_hash.copy()
        card_hash.update(f"\x1f{side.suffix}\x1f{side.front}\x1f{side.back}".encode())
        cards.append(
            Card(
                id=note.id if not side.suffix else f"{note.id}/{side.suffix}",
                note_id=note.id,
                kind=note.kind,
                deck=note.deck,
                front=side.front,
                back=side.back,
                tags=note.tags,
                source=note.source,
                suspended=note.suspended,
                location=note.location,
                answer=answer,
                answer_text=note.fields.get("answer") if number else None,
                tolerance=note.fields.get("tolerance") if number else None,
                order=note.order,
                extra=shown_extra,
                content_hash=card_hash.hexdigest()[:16],
                as_of=note.as_of,
            )
        )
    return cards


class DeckFile:
    """Reads one deck file, collecting problems instead of raising."""

    def __init__(self, display: str, folder: Path | None = None):
        self.display = display
        self.folder = folder  # the deck file's folder: media paths are relative to it
        self.problems: list[Problem] = []
        self.notes: list[Note] = []
        self.templates: list[Any] = []  # drill.problems.ProblemTemplate, from `problems:`
        self.deck: str | None = None
        self.deck_line = 1
        self.options: dict[str, Any] = {}
        self.order = 0  # position of each note in its file
        self.as_of: str | None = None  # the file's default `as_of`
        self.study_order = DEFAULT_ORDER  # `order:`
        self.renamed: dict[str, str] = {}  # old id -> new id (`renamed:`)
        self.notetypes: dict[str, OriginalNoteType] = {}  # `anki_notetypes:`, by name
        self.media_markers = True  # the text may refer to media (read() looks)

    def items(self) -> list[Any]:
        """Notes, then problem templates: everything in the file that has an id."""
        return [*self.notes, *self.templates]

    def problem(self, line: int, message: str) -> None:
        self.problems.append(Problem(self.display, line, message))

    def read(self, text: str) -> None:
        self.media_markers = "![" in text or "[sound:" in text
        try:
            root = yamlnodes.compose(text)
        except YamlError as err:
            self.problem(err.line, err.message)
            return
        if root is None:
            self.problem(1, "empty file: a deck file needs `deck:` and `cards:`")
            return
        if not isinstance(root, yaml.MappingNode):
            self.problem(
                line_of(root),
                "a deck file must be a mapping with `deck:` and `cards:`"
                f", found {yamlnodes.describe(root)}",
            )
            return
        entries = self.entries(root)
        by_key = {e.key: e for e in entries}
        for e in entries:
            if e.key not in DECK_KEYS:
                hint = did_you_mean(e.key, DECK_KEYS)
                if not hint and (e.key in COMMON_FIELDS or _field_kinds(e.key)):
                    hint = " (card fields go under `cards:`, one list item per card)"
                self.problem(e.line, f"unknown key '{e.key}'{hint}")
        deck = self.text(by_key.get("deck"), "deck")
        if "deck" not in by_key:
            self.problem(line_of(root), "missing `deck:` (the deck name)")
        elif deck is not None:
            if any(not part.strip() for part in deck.split("::")):
                self.problem(by_key["deck"].line, f"deck name '{deck}' has an empty part")
            else:
                self.deck = "::".join(part.strip() for part in deck.split("::"))
                self.deck_line = by_key["deck"].line
        file_tags = self.tags(by_key.get("tags"))
        file_source = self.text(by_key.get("source"), "source")
        self.as_of = self.date(by_key.get("as_of"))
        if "options" in by_key:
            self.options = self.read_options(by_key["options"])
        if "description" in by_key:
            self.text(by_key["description"], "description")
        if "renamed" in by_key:
            self.renamed = self.read_renamed(by_key["renamed"])
        if "order" in by_key:
            self.study_order = self.read_order(by_key["order"])
        if "anki_notetypes" in by_key:
            self.notetypes = self.read_notetypes(by_key["anki_notetypes"])
        problems = by_key.get("problems")
        if problems is not None:
            from drill.problems.reader import read_templates

            templates = read_templates(self, problems, file_tags, file_source)
            if self.deck is not None:
                self.templates.extend(templates)
        cards = by_key.get("cards")
        if cards is None:
            # A file of only `options:` or `order:` sets them for its deck (a parent deck's
            # daily limits, say): no cards needed.
            if problems is None and "options" not in by_key and "order" not in by_key:
                self.problem(
                    line_of(root),
                    "missing `cards:` (the list of cards) or `problems:` (problem templates)",
                )
            return
        if yamlnodes.is_null(cards.node) or (
            isinstance(cards.node, yaml.SequenceNode) and not cards.node.value
        ):
            if problems is None:
                self.problem(cards.line, "empty deck: `cards:` has no cards")
            return
        if not isinstance(cards.node, yaml.SequenceNode):
            self.problem(cards.line, "`cards:` must be a list (each card starts with '- ')")
            return
        for item in cards.node.value:
            note = self.note(item, file_tags, file_source)
            if note is not None and self.deck is not None:
                self.notes.append(note)

    def read_options(self, entry: yamlnodes.Entry) -> dict[str, Any]:
        from drill.options import OptionError, parse_value

        if not isinstance(entry.node, yaml.MappingNode):
            self.problem(entry.line, "`options` must be a mapping such as `new_per_day: 10`")
            return {}
        values: dict[str, Any] = {}
        for e in self.entries(entry.node):
            try:
                values[e.key] = parse_value(e.key, yamlnodes.plain(e.node), in_deck=True)
            except OptionError as err:
                self.problem(e.line, str(err))
        return values

    def media(
        self, entries: list[yamlnodes.Entry], kind: Kind, imported: bool = False
    ) -> tuple[tuple[str, str], ...] | None:
        """The images and sounds the note's text fields refer to, each a file beside the deck
        (a `media/` folder, or a path relative to the deck file): (as written, the file).
        None, with a problem for each, when one is missing, unreadable or outside the deck's
        folder. An `imported` note (from Anki) may refer to a file its package lacked, as
        Anki allows: the reference is kept (the file is then "", and `drill check` warns)."""
        # A cold sync reads ten thousand notes, nearly all without media: a file whose text has
        # neither marker has none.
        if not self.media_markers:
            return ()
        from drill.markup import media_refs

        found: list[tuple[str, str]] = []
        ok = True
        for e in entries:
            spec = kind.field(e.key)
            node = e.node
            if e.key == "extra" and isinstance(node, yaml.MappingNode):
                values = [value for _, value in node.value]
            elif e.key != "note" and (spec is None or spec.type not in ("text", "texts")):
                continue
            else:
                values = list(node.value) if isinstance(node, yaml.SequenceNode) else [node]
            for value in values:
                text = getattr(value, "value", None)
                if not isinstance(text, str) or ("![" not in text and "[sound:" not in text):
                    continue
                for what, written in media_refs(text):
                    problem = self.media_problem(written)
                    if problem and imported and problem.startswith(("no such file", "is a URL")):
                        found.append((written, ""))  # Anki shows it if it can
                    elif problem:
                        self.problem(e.line, f"`{e.key}`: {what} {written!r}: {problem}")
                        ok = False
                    elif self.folder is not None:
                        found.append((written, str(self.folder / written)))
        return tuple(dict.fromkeys(found)) if ok else None

    def media_problem(self, written: str) -> str | None:
        """Why a media path cannot be used, or None."""
        import os

        if "://" in written:
            return "is a URL: drill packages files, so put it beside the deck (media/...)"
        if os.path.isabs(written) or written.startswith("~"):
            return "is an absolute path: give it relative to the deck file (media/...)"
        if ".." in Path(written).parts:
            return "leaves the deck's folder: keep media beside the deck (media/...)"
        if self.folder is None:
            return None
        path = self.folder / written
        if not path.is_file():
            return f"no such file ({display_path(path)})"
        if not os.access(path, os.R_OK):
            return f"cannot be read ({display_path(path)})"
        return None

    def read_notetypes(self, entry: yamlnodes.Entry) -> dict[str, OriginalNoteType]:
        """`anki_notetypes:`: the Anki note types imported notes came from."""
        if not isinstance(entry.node, yaml.SequenceNode):
            self.problem(entry.line, "`anki_notetypes` must be a list of note types")
            return {}
        found: dict[str, OriginalNoteType] = {}
        for node in entry.node.value:
            notetype = self.read_notetype(node)
            if notetype is None:
                continue
            if notetype.name in found:
                self.problem(notetype.location.line, f"note type '{notetype.name}' is listed twice")
                continue
            found[notetype.name] = notetype
        return found

    def read_notetype(self, node: yaml.Node) -> OriginalNoteType | None:
        line = line_of(node)
        if not isinstance(node, yaml.MappingNode):
            self.problem(line, "a note type must be a mapping with `name:`, `id:`, `fields:`")
            return None
        entries = self.entries(node)
        by_key = {e.key: e for e in entries}
        for e in entries:
            if e.key not in NOTETYPE_KEYS:
                self.problem(
                    e.line,
                    f"unknown key '{e.key}' for a note type{did_you_mean(e.key, NOTETYPE_KEYS)}",
                )
                return None
        missing = [k for k in ("name", "id", "fields", "templates") if k not in by_key]
        if missing:
            self.problem(line, f"note type without `{missing[0]}:`")
            return None
        name = self.text(by_key["name"], "name")
        id_text = self.text(by_key["id"], "id")
        fields = self.texts(by_key["fields"], "fields")
        if name is None or id_text is None or fields is None:
            return None
        if not id_text.isdigit():
            self.problem(by_key["id"].line, f"note type id must be a whole number, not '{id_text}'")
            return None
        if len(set(fields)) != len(fields):
            self.problem(by_key["fields"].line, f"note type '{name}' names a field twice")
            return None
        to_drill: list[tuple[str, str]] = []
        if "map" in by_key:
            map_node = by_key["map"]
            if not isinstance(map_node.node, yaml.MappingNode):
                self.problem(map_node.line, "`map` must be a mapping of Anki field: drill field")
                return None
            for e in self.entries(map_node.node):
                target = self.text(e, e.key)
                if target is None:
                    return None
                if e.key not in fields:
                    self.problem(e.line, f"`map`: '{e.key}' is not one of the note type's fields")
                    return None
                to_drill.append((e.key, target))
        templates = []
        tnode = by_key["templates"].node
        if not isinstance(tnode, yaml.SequenceNode) or not tnode.value:
            self.problem(
                by_key["templates"].line, "`templates` must be a list of name, front, back"
            )
            return None
        for item in tnode.value:
            if not isinstance(item, yaml.MappingNode):
                self.problem(line_of(item), "a template must be a mapping of name, front, back")
                return None
            parts = {e.key: e for e in self.entries(item)}
            values = []
            for key in ("name", "front", "back"):
                try:
                    value = yamlnodes.scalar_text(parts[key].node) if key in parts else None
                except YamlError as err:
                    self.problem(err.line, f"template `{key}`: {err.message}")
                    return None
                if value is None:
                    self.problem(line_of(item), f"a template without `{key}:`")
                    return None
                values.append(value)
            templates.append(AnkiTemplate(*values))
        css = ""
        if "css" in by_key:
            try:
                css = yamlnodes.scalar_text(by_key["css"].node) or ""
            except YamlError as err:
                self.problem(err.line, f"`css`: {err.message}")
                return None
        cloze = False
        if "cloze" in by_key:
            c = by_key["cloze"]
            if not (isinstance(c.node, yaml.ScalarNode) and c.node.tag == yamlnodes.BOOL_TAG):
                self.problem(c.line, "`cloze` must be true or false")
                return None
            cloze = c.node.value.lower() in ("true", "yes", "on")
        media: list[tuple[str, str]] = []
        if "media" in by_key:
            listed = self.texts(by_key["media"], "media")
            if listed is None:
                return None
            for written in listed:
                problem = self.media_problem(written)
                if problem:
                    self.problem(by_key["media"].line, f"`media`: {written!r}: {problem}")
                    return None
                media.append((written, str(self.folder / written) if self.folder else ""))
        return OriginalNoteType(
            int(id_text),
            name,
            fields,
            tuple(to_drill),
            tuple(templates),
            css,
            cloze,
            Location(self.display, line),
            tuple(media),
        )

    def read_extra(self, entry: yamlnodes.Entry) -> tuple[tuple[str, str], ...] | None:
        """`extra:`: a mapping of an Anki field's name to its text."""
        if not isinstance(entry.node, yaml.MappingNode):
            self.problem(entry.line, "`extra` must be a mapping of field name: text")
            return None
        pairs = []
        for e in self.entries(entry.node):
            try:
                value = yamlnodes.scalar_text(e.node)
            except YamlError as err:
                self.problem(err.line, f"`extra` {e.key}: {err.message}")
                return None
            pairs.append((e.key, (value or "").strip()))
        return tuple(pairs)

    def read_order(self, entry: yamlnodes.Entry) -> int:
        text = self.text(entry, "order")
        if text is not None and text.isdigit() and int(text) <= 9999:
            return int(text)
        if text is not None:
            self.problem(entry.line, f"`order` must be a whole number from 0 to 9999, not '{text}'")
        return DEFAULT_ORDER

    def read_renamed(self, entry: yamlnodes.Entry) -> dict[str, str]:
        """`renamed:` maps an id a card had before to the id it has now."""
        if not isinstance(entry.node, yaml.MappingNode):
            self.problem(entry.line, "`renamed` must be a mapping of old-id: new-id")
            return {}
        pairs: dict[str, str] = {}
        for e in self.entries(entry.node):
            new = self.text(e, e.key)
            if new is None:
                continue
            bad = [m for m in (card_id_problem(e.key), card_id_problem(new)) if m]
            if bad:
                self.problem(e.line, f"`renamed`: {bad[0]}")
            elif e.key == new:
                self.problem(e.line, f"`renamed`: '{new}' is renamed to itself")
            else:
                pairs[e.key] = new
        return pairs

    def entries(self, node: yaml.MappingNode) -> list[yamlnodes.Entry]:
        entries, errors = yamlnodes.mapping_entries(node)
        for err in errors:
            self.problem(err.line, err.message)
        return entries

    def text(self, entry: yamlnodes.Entry | None, name: str) -> str | None:
        if entry is None:
            return None
        try:
            value = yamlnodes.scalar_text(entry.node)
        except YamlError as err:
            self.problem(err.line, f"`{name}`: {err.message}")
            return None
        if value is None or not value.strip():
            self.problem(entry.line, f"`{name}` is empty")
            return None
        return value.strip()

    def texts(self, entry: yamlnodes.Entry, name: str) -> tuple[str, ...] | None:
        node = entry.node
        if isinstance(node, yaml.ScalarNode):
            one = self.text(entry, name)
            return (one,) if one is not None else None
        if not isinstance(node, yaml.SequenceNode):
            self.problem(entry.line, f"`{name}` must be a list of text")
            return None
        items: list[str] = []
        for number, item in enumerate(node.value, 1):
            try:
                value = yamlnodes.scalar_text(item)
            except YamlError as err:
                self.problem(err.line, f"`{name}` item {number}: {err.message}")
                continue
            if value is None or not value.strip():
                self.problem(line_of(item), f"`{name}` item {number} is empty")
                continue
            items.append(value.strip())
        if not node.value:
            self.problem(entry.line, f"`{name}` is an empty list")
        return tuple(items) if len(items) == len(node.value) and items else None

    def date(self, entry: yamlnodes.Entry | None) -> str | None:
        """An `as_of` date as written (YYYY, YYYY-MM or YYYY-MM-DD), checked to be a date."""
        text = self.text(entry, "as_of")
        if entry is None or text is None:
            return None
        m = AS_OF_RE.match(text)
        if m:
            import datetime

            year, month, day = int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1)
            try:
                datetime.date(year, month, day)
                return text
            except ValueError:
                pass
        self.problem(
            entry.line, f"`as_of` '{text}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD"
        )
        return None

    def tags(self, entry: yamlnodes.Entry | None) -> tuple[str, ...]:
        if entry is None:
            return ()
        values = self.texts(entry, "tags") or ()
        good = []
        for tag in values:
            if TAG_RE.match(tag):
                good.append(tag)
            else:
                self.problem(entry.line, f"tag '{tag}' contains a space (use - or _)")
        return tuple(good)

    def note(
        self, node: yaml.Node, file_tags: tuple[str, ...], file_source: str | None
    ) -> Note | None:
        line = line_of(node)
        if not isinstance(node, yaml.MappingNode):
            self.problem(
                line,
                f"a card must be a mapping with `id:` and `kind:`, found "
                f"{yamlnodes.describe(node)}",
            )
            return None
        entries = self.entries(node)
        by_key = {e.key: e for e in entries}
        ok = True

        kind_name = DEFAULT_KIND
        if "kind" in by_key:
            kind_text = self.text(by_key["kind"], "kind")
            if kind_text is None:
                return None
            if kind_text not in KINDS:
                self.problem(by_key["kind"].line, unknown_kind(kind_text))
                return None
            kind_name = kind_text
        kind = KINDS[kind_name]

        note_id = None
        if "id" not in by_key:
            self.problem(line, "missing `id:` (a stable, unique id such as `seconds-per-day`)")
            ok = False
        else:
            note_id = self.text(by_key["id"], "id")
            if note_id is None:
                ok = False
            elif (message := id_problem(note_id)) is not None:
                self.problem(by_key["id"].line, message)
                ok = False

        notetype = None
        if "notetype" in by_key:
            notetype_name = self.text(by_key["notetype"], "notetype")
            notetype = self.notetypes.get(notetype_name or "")
            if notetype_name is not None and notetype is None:
                known = list(self.notetypes)
                self.problem(
                    by_key["notetype"].line,
                    f"no note type '{notetype_name}' under this file's `anki_notetypes:`"
                    + (did_you_mean(notetype_name, known) or ""),
                )
            if notetype is None:
                ok = False
            else:
                targets = set(kind.field_names) | set(MAPPABLE_COMMON)
                wrong = [(a, d) for a, d in notetype.to_drill if d not in targets]
                if wrong:
                    self.problem(
                        by_key["notetype"].line,
                        f"note type '{notetype.name}' puts {wrong[0][0]} in `{wrong[0][1]}`, "
                        f"which a {kind.name} card has not",
                    )
                    ok = False
        extra: tuple[tuple[str, str], ...] = ()
        if "extra" in by_key:
            read = self.read_extra(by_key["extra"])
            if read is None:
                ok = False
            else:
                extra = read

        fields: dict[str, Any] = {}
        for e in entries:
            if e.key in _NOTE_KEYS:
                continue
            spec = kind.field(e.key)
            if e.key == "note":
                spec = Field("note", "text", False, COMMON_FIELDS["note"])
            if spec is None:
                self.problem(e.line, _unknown_field_message(e.key, kind))
                ok = False
                continue
            value = self.field_value(e, spec, kind)
            if value is None:
                ok = False
            else:
                fields[e.key] = value
        for spec in kind.fields:
            # Anki keeps notes with an empty field (an empty Back, a Front that is only an
            # image, a cloze without deletions): an imported one comes over as it is.
            if spec.required and spec.name not in by_key and notetype is None:
                self.problem(
                    line,
                    f"{kind.name} card '{note_id or '?'}' is missing `{spec.name}:` ({spec.help})",
                )
                ok = False

        tags = file_tags
        if "tags" in by_key:
            tags = tuple(dict.fromkeys(file_tags + self.tags(by_key["tags"])))
        source = self.text(by_key.get("source"), "source") if "source" in by_key else file_source
        as_of = self.date(by_key["as_of"]) if "as_of" in by_key else self.as_of
        guid = self.text(by_key["guid"], "guid") if "guid" in by_key else None
        if "guid" in by_key and guid is None:
            ok = False
        if "as_of" in by_key and as_of is None:
            ok = False
        suspended = False
        if "suspended" in by_key:
            s = by_key["suspended"]
            if not (isinstance(s.node, yaml.ScalarNode) and s.node.tag == yamlnodes.BOOL_TAG):
                self.problem(s.line, "`suspended` must be true or false")
                ok = False
            else:
                suspended = s.node.value.lower() in ("true", "yes", "on")

        if not ok:
            return None
        for spec in kind.fields:
            if spec.default is not None:
                fields.setdefault(spec.name, spec.default)
            elif notetype is not None and spec.required:
                fields.setdefault(spec.name, "")
        media = self.media(entries, kind, imported=notetype is not None)
        if media is None:
            return None
        checks = kind.check(fields) if kind.check and notetype is None else ()
        for field_name, message in checks:
            entry = by_key.get(field_name)
            self.problem(entry.line if entry else line, message)
            ok = False
        if not ok or note_id is None:
            return None
        self.order += 1
        return Note(
            id=note_id,
            kind=kind_name,
            deck=self.deck or "",
            fields=fields,
            tags=tags,
            source=source,
            suspended=suspended,
            location=Location(self.display, line),
            order=self.order,
            as_of=as_of,
            media=media,
            guid=guid,
            notetype=notetype,
            extra=extra,
        )

    def field_value(self, e: yamlnodes.Entry, spec: Field, kind: Kind) -> Any:
        if spec.type == "texts":
            return self.texts(e, spec.name)
        text = self.text(e, spec.name)
        if text is None:
            return None
        if spec.type == "quantity":
            from drill import quantity

            try:
                quantity.parse(text)
            except quantity.QuantityError as err:
                self.problem(e.line, f"`{spec.name}`: {err}")
                return None
        elif spec.type == "tolerance":
            from drill import quantity

            try:
                return quantity.parse_tolerance(text)
            except quantity.QuantityError as err:
                self.problem(e.line, f"`{spec.name}`: {err}")
                return None
        return text


def _field_kinds(key: str) -> list[str]:
    return [k.name for k in KINDS.values() if k.field(key)]


def _unknown_field_message(key: str, kind: Kind) -> str:
    known = list(COMMON_FIELDS) + kind.field_names
    message = f"unknown key '{key}' for a {kind.name} card{did_you_mean(key, known)}"
    others = _field_kinds(key)
    if others and "did you mean" not in message:
        message += f" ('{key}' belongs to {' and '.join(others)} cards: set `kind:`?)"
    return message + f"; {kind.name} fields: {', '.join(kind.field_names)}"


def load_problems(paths: Iterable[Path]) -> list[Any]:  # drill.problems.ProblemTemplate
    """Every problem template in the deck files under `paths`. Raises ContentError (with
    every problem found) when any deck file has problems."""
    collection = load([Path(p) for p in paths])
    if collection.problems:
        raise ContentError(collection.problems)
    return list(collection.templates)
