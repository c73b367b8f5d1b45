"""Each deck's cards on the scheduler its preset names (SM-2 or FSRS).

Done once, when a workspace opens (drill.services.workspace), never by a read: the quiz's
queue, `drill due` and `drill stats` then all see the same schedule. Switching a deck to FSRS
replays each reviewed card's log through FSRS (drill.fsrs_scheduler.replay); switching back
puts the SM-2 state kept beside it. The review log is never touched."""

from __future__ import annotations

from collections.abc import Callable

from drill.options import DeckOptions
from drill.scheduler import CardState
from drill.storage import ReviewRecord, Store


def sync_schedulers(store: Store, options_for: Callable[[str], DeckOptions]) -> dict[str, int]:
    """Put every deck's cards on the scheduler its preset names. Cheap when nothing changed
    (one aggregate query). Returns, per deck switched, how many cards changed scheduler."""
    switched: dict[str, int] = {}
    for deck, on in store.scheduler_counts().items():
        from drill.fsrs_scheduler import FsrsState, replay  # only when there are cards

        options = options_for(deck)
        changes: list[tuple[str, CardState, CardState]] = []
        if options.algorithm == "fsrs" and on.get("sm2"):
            history: dict[str, list[ReviewRecord]] = {}
            for record in store.reviews(decks=[deck]):
                history.setdefault(record.card_id, []).append(record)
            for card in store.cards_on(deck, "sm2"):
                sm2 = card.state
                fsrs_state = replay(card.id, history.get(card.id, []), options, sm2)
                if fsrs_state is not None:
                    changes.append((card.id, sm2, fsrs_state))
        elif options.algorithm != "fsrs" and on.get("fsrs"):
            for card in store.cards_on(deck, "fsrs"):
                state = card.state
                assert isinstance(state, FsrsState) and state.sm2 is not None
                changes.append((card.id, state, state.sm2))
        if changes:
            switched[deck] = store.switch_states(changes)
    return switched
