"""`drill optimize`: FSRS parameters fitted to the user's own review log."""

from __future__ import annotations

from dataclasses import dataclass

from drill import fsrs_scheduler
from drill.model import deck_matches
from drill.services.errors import DrillError
from drill.services.workspace import Workspace


@dataclass(frozen=True)
class Fitted:
    parameters: list[float]
    reviews: int  # the reviews counted
    deck: str | None


def optimize(ws: Workspace, deck: str | None = None) -> Fitted:
    ws.check_deck(deck)
    names = [d for d in ws.decks() if deck is None or deck_matches(d, deck)]
    reviews = ws.store.reviews(decks=names if deck is not None else None)
    try:
        parameters, count = fsrs_scheduler.optimize(reviews)
    except fsrs_scheduler.OptimizeError as err:
        raise DrillError(str(err)) from None
    return Fitted(parameters, count, deck)
