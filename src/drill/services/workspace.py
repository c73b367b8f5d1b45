"""An open drill: the settings in effect, the store brought in line with the deck files and
their options, and selection of decks and cards. Every command that uses the database opens
one; nothing else opens the store.

Opening syncs the store with the deck files. A deck file that cannot be read is skipped with
its problems as warnings (its cards keep their last good state), as Anki skips a deck it
cannot read; `drill check` is where such problems fail."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from drill.model import Collection, Problem, deck_matches
from drill.options import DeckOptions, resolver
from drill.services.errors import DrillError, NotFound, UsageError
from drill.services.settings import Settings
from drill.storage import CardRecord, Store, StoreError


class Workspace:
    """(A plain class: every command opens one, `drill due` in shell prompts.)"""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        options_for: Callable[[str], DeckOptions],
        now: datetime,
        warnings: list[Problem] | None = None,
        renamed: list[tuple[str, str]] | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.options_for = options_for
        self.now = now
        self.warnings = warnings or []  # deck files skipped, and why
        self.renamed = renamed or []  # histories moved by `renamed:`
        self._collection: Collection | None = None

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Workspace:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def config(self) -> Any:
        """The options every deck shares (day start, learn-ahead): the empty deck's."""
        return self.options_for("").scheduler

    # ----------------------------------------------------------------------- decks

    def decks(self) -> list[str]:
        return self.store.decks()

    def check_deck(self, deck: str | None) -> None:
        """A --deck that matches no deck is a mistake to report, not an empty result."""
        if deck is None:
            return
        names = self.store.decks()
        if not any(deck_matches(name, deck) for name in names):
            tops = list(dict.fromkeys(name.split("::")[0] for name in names))
            known = {
                "::".join(n.split("::")[: i + 1]) for n in names for i in range(n.count("::") + 1)
            }
            raise NotFound.named(
                "deck", deck, sorted(known), tail=f"top-level decks: {', '.join(tops)}"
            )

    def collection(self) -> Collection:
        """Every deck in effect, loaded (once): notes, cards, problem templates."""
        if self._collection is None:
            from drill.content import load

            self._collection = load(self.settings.deck_roots)
        return self._collection

    # ----------------------------------------------------------------------- cards

    def card(self, card_id: str) -> CardRecord:
        card = self.store.card(card_id)
        if card is None or card.orphaned:
            raise NotFound(f"no card with id '{card_id}' (drill list shows the ids)")
        return card

    def select(
        self, ids: Sequence[str] = (), deck: str | None = None, tag: str | None = None
    ) -> list[CardRecord]:
        """Cards named (a note id means all its cards) or selected by --deck / --tag."""
        if not ids and deck is None and tag is None:
            raise UsageError("name card ids, or select with --deck or --tag")
        self.check_deck(deck)
        cards = self.store.cards(self.now, include_suspended=True)
        chosen: dict[str, CardRecord] = {}
        if ids:
            by_note: dict[str, list[CardRecord]] = {}
            by_id = {}
            for card in cards:
                by_note.setdefault(card.note_id, []).append(card)
                by_id[card.id] = card
            for wanted in ids:
                if wanted in by_note:
                    chosen.update((c.id, c) for c in by_note[wanted])
                elif wanted in by_id:
                    chosen[wanted] = by_id[wanted]
                else:
                    raise NotFound(f"no card or note with id '{wanted}' (drill list shows the ids)")
        if deck is not None or tag is not None:
            chosen.update(
                (c.id, c)
                for c in cards
                if (deck is None or deck_matches(c.deck, deck)) and (tag is None or tag in c.tags)
            )
        if not chosen:
            raise DrillError("no cards match")
        return list(chosen.values())


def open_workspace(
    settings: Settings, now: datetime, *, sync: bool = True, paths: Sequence[Path] = ()
) -> Workspace:
    """Open the database of `settings` and, with `sync`, bring it in line with the deck
    files (those under `paths`, or every deck folder in effect) and their options."""
    from drill.paths import find_deck_files
    from drill.services.schedules import sync_schedulers

    try:
        store = Store(settings.db)
    except StoreError as err:
        raise DrillError(str(err)) from None
    warnings: list[Problem] = []
    renamed: list[tuple[str, str]] = []
    try:
        if sync:
            files, missing = find_deck_files(list(paths) or settings.deck_roots)
            report = store.sync(files, now, prune=not paths)
            warnings = sorted([*missing, *report.problems])
            renamed = report.renamed
        options_for = resolver(settings.options, store.deck_options())
        if sync:
            # Every reader sees the schedule the options give: converted here, once, on
            # opening, never by a read (the quiz's queue and `drill due` agree).
            sync_schedulers(store, options_for)
    except BaseException:
        store.close()
        raise
    return Workspace(settings, store, options_for, now, warnings, renamed)
