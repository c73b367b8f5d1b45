"""`drill list` and `drill problem list`: what the decks hold."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drill.model import Card, Collection, deck_matches, select
from drill.services.errors import UsageError


@dataclass(frozen=True)
class Listed:
    card: Card
    fields: dict[str, Any]  # the note's fields as authored (a problem: title and question)

    def to_json(self) -> dict[str, Any]:
        card = self.card
        answer = None
        if card.answer is not None:
            answer = {
                "value": card.answer.value,
                "unit": card.answer.unit,
                "text": card.answer_text,
            }
        return {
            "id": card.id,
            "note_id": card.note_id,
            "deck": card.deck,
            "kind": card.kind,
            "front": card.front,
            "back": card.back,
            "answer": answer,
            "tolerance": card.tolerance,
            "note": card.extra,
            "tags": list(card.tags),
            "source": card.source,
            "as_of": card.as_of,
            "suspended": card.suspended,
            "path": card.location.path,
            "line": card.location.line,
            "fields": {k: list(v) if isinstance(v, tuple) else v for k, v in self.fields.items()},
        }


def cards(
    collection: Collection, deck: str | None, kind: str | None, tag: str | None
) -> list[Listed]:
    """Every card, and every problem template as the card the quiz schedules (kind problem)."""
    from drill.content import template_card
    from drill.kinds import KINDS, unknown_kind

    if kind is not None and kind not in (*KINDS, "problem"):
        raise UsageError(unknown_kind(kind, ("problem",)))
    fields: dict[str, dict[str, Any]] = {n.id: n.fields for n in collection.notes}
    fields.update({t.id: {"title": t.title, "question": t.question} for t in collection.templates})
    problems = [template_card(t) for t in collection.templates]
    return [
        Listed(c, fields[c.note_id]) for c in select(collection.cards + problems, deck, kind, tag)
    ]


def templates(collection: Collection, deck: str | None) -> list[Any]:
    return [t for t in collection.templates if deck is None or deck_matches(t.deck, deck)]
