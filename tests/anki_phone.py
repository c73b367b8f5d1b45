"""A collection of Anki's own backend (the `anki` package) playing the phone: it imports
drill's packages, studies with Anki's scheduler over simulated days, and exports or syncs.

A simulated day is a day of Anki's clock: the collection's creation time moves back a day
(and the collection is reopened, since the backend caches the day). The day boundary is put
12 hours away from now (anki-import.md, "Two traps"), so a run never straddles it."""

from __future__ import annotations

import random
from datetime import datetime
from pathlib import Path

import pytest

anki_collection = pytest.importorskip("anki.collection")

WEIGHTS = (15, 10, 60, 15)  # Again, Hard, Good, Easy


def rollover_hour() -> int:
    return (datetime.now().hour + 12) % 24


def open_collection(path: Path, rollover: int | None = None):
    path.parent.mkdir(parents=True, exist_ok=True)
    col = anki_collection.Collection(str(path))
    if rollover is not None:
        prefs = col.get_preferences()
        if prefs.scheduling.rollover != rollover:
            prefs.scheduling.rollover = rollover
            col.set_preferences(prefs)
    col.load_balancer_enabled = False
    return col


def next_day(col, days: int = 1):
    """The same collection, `days` later on Anki's clock."""
    path = col.path
    col.db.execute("UPDATE col SET crt = crt - ?", 86_400 * days)
    col.close()
    return open_collection(Path(path))


def import_package(col, package: Path, with_scheduling: bool = False):
    request = anki_collection.ImportAnkiPackageRequest(
        package_path=str(package),
        options=anki_collection.ImportAnkiPackageOptions(
            merge_notetypes=True, with_scheduling=with_scheduling, with_deck_configs=False
        ),
    )
    return col.import_anki_package(request).log


def answer(col, card, rating: int) -> None:
    """Answer a card with Anki's scheduler: rating 1-4 (Again..Easy), as drill numbers them."""
    states = col._backend.get_scheduling_states(card.id)
    card.start_timer()
    col.sched.answer_card(col.sched.build_answer(card=card, states=states, rating=rating - 1))


def study(
    col, rng: random.Random, limit: int = 1000, weights=WEIGHTS, deck: str | None = None
) -> int:
    """A study session of a deck (default: the first deck drill built): the cards Anki's
    queue gives, answered at random, until none is left (learning steps within the
    learn-ahead limit included) or `limit` answers."""
    select(col, deck)
    done = 0
    while done < limit:
        card = col.sched.getCard()
        if card is None:
            break
        answer(col, card, rng.choices(range(1, 5), weights)[0])
        done += 1
    return done


def select(col, deck: str | None = None) -> None:
    """Make a deck (default: the top deck of the first note drill built) the current one,
    whose cards Anki's queue gives."""
    if deck is None:
        notes = col.find_notes("note:drill*")
        deck = col.decks.name(col.get_note(notes[0]).cards()[0].did).split("::")[0]
    col.decks.select(col.decks.id_for_name(deck))


def new_per_day(col, count: int) -> None:
    """Set the default preset's daily limit of new cards."""
    conf = col.decks.config_dict_for_deck_id(1)
    conf["new"]["perDay"] = count
    col.decks.update_config(conf)


def drill_card_ids(col) -> dict[str, int]:
    """Anki card ids by drill card id, for the notes drill built (the Id field and the
    template's suffix)."""
    from drill.anki.notetypes import NOTE_TYPES

    found = {}
    for nid in col.find_notes("note:drill*"):
        note = col.get_note(nid)
        kind = note.note_type()["name"].removeprefix("drill: ")
        for card in note.cards():
            suffix = NOTE_TYPES[kind].suffix(card.ord)
            found[f"{note['Id']}/{suffix}" if suffix else note["Id"]] = card.id
    return found
