"""Single cards and selections: show, suspend, unsuspend, reset, rename."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drill.paths import display_path
from drill.services.errors import DrillError, NotFound
from drill.services.workspace import Workspace
from drill.storage import CardRecord, ReviewRecord, StoreError


@dataclass(frozen=True)
class CardInfo:
    """A card's content, scheduling state and full review history (`drill card show`)."""

    card: CardRecord
    history: list[ReviewRecord]
    where: str
    buried: bool  # buried now (until `card.buried_until`)

    def to_json(self) -> dict[str, Any]:
        c, state = self.card, self.card.state
        return {
            "id": c.id,
            "note_id": c.note_id,
            "deck": c.deck,
            "kind": c.kind,
            "front": c.front,
            "back": c.back,
            "answer": c.answer,
            "source": c.source,
            "as_of": c.as_of,
            "where": self.where,
            "state": {
                "phase": state.phase,
                "step": state.step,
                "due": state.due.isoformat() if state.due else None,
                "interval_days": state.interval_days,
                "ease": state.ease,
                "reps": state.reps,
                "lapses": state.lapses,
                "suspended": c.suspended or c.yaml_suspended,
                "buried_until": c.buried_until.isoformat() if c.buried_until else None,
                "leech": c.leech,
                "orphaned": c.orphaned,
                "scheduler": c.scheduler,
                "stability": c.stability,
                "difficulty": c.difficulty,
            },
            "history": [r.as_dict() for r in self.history],
        }


@dataclass(frozen=True)
class NoteInfo:
    """A note id given to `drill card show`: the cards it yields."""

    note_id: str
    cards: list[CardRecord]

    def to_json(self) -> dict[str, Any]:
        return {
            "note_id": self.note_id,
            "cards": [
                {"id": c.id, "front": c.front, "phase": c.phase, "due": c.due_key or None}
                for c in self.cards
            ],
        }


def show(ws: Workspace, card_id: str) -> CardInfo | NoteInfo:
    """A card by its id; a note id whose note has no card of that id lists its cards."""
    from pathlib import Path

    card = ws.store.card(card_id)
    if card is None:
        cards = ws.store.cards_of_note(card_id)
        if cards:
            return NoteInfo(card_id, cards)
        raise NotFound(f"no card or note with id '{card_id}' (drill list shows the ids)")

    buried = card.buried_until is not None and card.buried_until > ws.now
    where = f"{display_path(Path(card.path))}:{card.line}"
    return CardInfo(card, ws.store.history(card_id), where, buried)


def set_suspended(
    ws: Workspace, ids: list[str], deck: str | None, tag: str | None, suspended: bool
) -> int:
    chosen = ws.select(ids, deck, tag)
    ws.store.set_flags([c.id for c in chosen], suspended=suspended)
    return len(chosen)


def reset(ws: Workspace, cards: list[CardRecord]) -> int:
    """Forget the cards' scheduling: they become new again; their history is kept."""
    return ws.store.reset([c.id for c in cards])


def rename(ws: Workspace, old: str, new: str) -> list[tuple[str, str]]:
    try:
        return ws.store.rename(old, new)
    except KeyError:
        raise NotFound(f"no card or note with id '{old}' in the database") from None
    except StoreError as err:
        raise DrillError(str(err)) from None
