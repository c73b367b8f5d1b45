"""The content model: notes as authored in YAML, and the cards they yield.

Pure data. A *note* is one entry of a deck file (one `id`); a *card* is one question/answer
pair shown to the user. A note yields one or more cards, each with an id derived from the
note id (`prompt-x/challenges`) so review history follows the card across edits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, order=True)
class Problem:
    """Something wrong in a deck file, reported as `path:line: message`. A problem with a
    `rule` is a content lint's warning (drill.lints): `path:line: warning: message [rule]`."""

    path: str
    line: int
    message: str
    rule: str = ""

    def __str__(self) -> str:
        if self.rule:
            return f"{self.path}:{self.line}: warning: {self.message} [{self.rule}]"
        return f"{self.path}:{self.line}: {self.message}"


class ContentError(Exception):
    """Raised when decks cannot be used; carries every problem found, not just the first."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Location:
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class AnkiTemplate:
    name: str
    front: str  # Anki's qfmt
    back: str  # afmt


@dataclass(frozen=True)
class OriginalNoteType:
    """An Anki note type kept from an import (a deck file's `anki_notetypes:`), so that
    `drill build` gives Anki back its own note type (same id, fields, templates and CSS) and
    Anki updates the imported notes in place instead of adding copies."""

    id: int
    name: str
    fields: tuple[str, ...]  # in Anki's order
    to_drill: tuple[tuple[str, str], ...]  # (Anki field, the drill field it fills)
    templates: tuple[AnkiTemplate, ...]
    css: str = ""
    cloze: bool = False
    location: Location = Location("<memory>", 0)
    # Files its templates or CSS name (Anki's rule: names that start with `_`, such as a
    # font): (the path as written, `media/_font.ttf`; the file, "" until it is on disk).
    media: tuple[tuple[str, str], ...] = ()

    def same_as(self, other: OriginalNoteType) -> bool:
        """The same definition (where each was written aside)."""
        return (self.id, self.name, self.fields, self.to_drill, self.templates, self.css) == (
            other.id,
            other.name,
            other.fields,
            other.to_drill,
            other.templates,
            other.css,
        ) and (self.cloze, [w for w, _ in self.media]) == (
            other.cloze,
            [w for w, _ in other.media],
        )


# Notes and cards are built by the ten thousand on a cold sync: slots and plain assignment
# make that 4x quicker than a frozen dataclass. Treat them as read-only all the same.
@dataclass(slots=True)
class Note:
    """One authored entry. `fields` holds the kind's own fields, already validated."""

    id: str
    kind: str
    deck: str
    fields: dict[str, Any]
    tags: tuple[str, ...] = ()
    source: str | None = None
    suspended: bool = False
    location: Location = Location("<memory>", 0)
    order: int = 0  # position in its file; (path, order) gives "new cards in deck order"
    as_of: str | None = None  # when a volatile fact was last checked (YYYY[-MM[-DD]])
    media: tuple[tuple[str, str], ...] = ()  # (path as written, the file) of each image or sound
    guid: str | None = None  # the note's Anki GUID, when it came from Anki
    notetype: OriginalNoteType | None = None  # the Anki note type it came from
    extra: tuple[tuple[str, str], ...] = ()  # (label, text): fields drill has no place for


@dataclass(slots=True)
class Card:
    """One question/answer pair. `answer` is set for cards graded on a typed answer."""

    id: str
    note_id: str
    kind: str
    deck: str
    front: str
    back: str
    tags: tuple[str, ...] = ()
    source: str | None = None
    suspended: bool = False
    location: Location = Location("<memory>", 0)
    answer: Any = None  # drill.quantity.Quantity for number cards
    answer_text: str | None = None
    tolerance: float | None = None
    order: int = 0
    extra: str | None = None  # shown under the answer (the note's `note`)
    content_hash: str = field(default="", compare=False)
    as_of: str | None = None


@dataclass
class Collection:
    """Everything loaded from a set of deck files."""

    notes: list[Note] = field(default_factory=list)
    cards: list[Card] = field(default_factory=list)
    decks: dict[str, Location] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    templates: list[Any] = field(default_factory=list)  # drill.problems.ProblemTemplate

    def without_broken(self) -> Collection:
        """The decks without the files that have problems: a study command skips a broken
        file whole (never half of one) and goes on with the rest."""
        broken = {p.path for p in self.problems}
        if not broken:
            return self
        return Collection(
            notes=[n for n in self.notes if n.location.path not in broken],
            cards=[c for c in self.cards if c.location.path not in broken],
            decks={d: loc for d, loc in self.decks.items() if loc.path not in broken},
            files=[f for f in self.files if f not in broken],
            problems=list(self.problems),
            templates=[t for t in self.templates if t.location.path not in broken],
        )


def deck_matches(deck: str, wanted: str) -> bool:
    """A deck name matches itself and its children, case-insensitively, as in Anki."""
    deck, wanted = deck.casefold(), wanted.casefold().strip()
    return deck == wanted or deck.startswith(wanted + "::")


def select(items: list[Any], deck: str | None, kind: str | None, tag: str | None) -> list[Any]:
    """Notes or cards (anything with .deck, .kind, .tags) matching --deck, --kind and --tag."""
    return [
        item
        for item in items
        if (deck is None or deck_matches(item.deck, deck))
        and (kind is None or item.kind == kind)
        and (tag is None or tag in item.tags)
    ]
