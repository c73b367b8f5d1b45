"""The services commands share, without the CLI framework: read the config, open and sync
the store, report what is due. `drill due` and bare `drill` run on these alone (see
drill.entry), so a shell prompt can call them without paying for typer."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from drill.model import ContentError, Problem


class UserError(Exception):
    """Something the user can fix: printed as `drill: message` (after any problems)."""

    def __init__(self, message: str, code: int = 1, problems: list[Problem] | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.problems = sorted(problems or [])


def plural(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def config(db: Path | None = None, decks: list[Path] | None = None):
    from drill.services.errors import DrillError
    from drill.services.settings import resolve

    try:
        return resolve(db, decks or ())
    except DrillError as err:
        raise UserError(err.message, problems=err.problems) from None


def open_store(db: Path | None, decks: list[Path] | None = None, *, sync: bool = True):
    """Open the database and bring it in line with the decks and their options (each deck's
    cards on the scheduler its preset names). Returns (store, options_for). Deck problems
    stop the command before anything is written."""
    from drill.clock import ClockError, now
    from drill.fsrs_scheduler import sync_schedulers
    from drill.options import resolver
    from drill.paths import find_deck_files
    from drill.store import Store, StoreError

    settings = config(db, decks)
    try:
        moment = now()
        store = Store(settings.db)
    except (ClockError, StoreError) as err:
        raise UserError(str(err)) from None
    if sync:
        files, problems = find_deck_files(settings.deck_roots)
        try:
            if problems:
                raise ContentError(problems)
            store.sync(files, moment)
        except ContentError as err:
            store.close()
            raise UserError(
                f"{plural(len(err.problems), 'problem')} in the decks; nothing was changed "
                "(`drill check` lists them)",
                problems=err.problems,
            ) from None
    options_for = resolver(settings.options, store.deck_options())
    if sync:
        # Every reader sees the schedule the options give: converted here, once, on opening,
        # never by a read (the quiz's queue and `drill due` count the same cards).
        sync_schedulers(store, options_for)
    return store, options_for


def due_by_deck(store: Any, options_for: Any, now: Any) -> dict[str, tuple[int, int, int]]:
    """Per deck: (new, learning, review) a quiz started now would show, daily limits applied
    as Session.build applies them. Every deck with live cards is listed, zeros included.
    (Here rather than in drill.session, so `drill due` does not import the quiz's queue.)"""
    from datetime import timedelta

    from drill.options import DailyLimits
    from drill.scheduler import day_start

    config = options_for("").scheduler
    start = day_start(now, config)
    daily = DailyLimits(options_for, store.done_today(start))
    raw = store.due_counts(
        now, start + timedelta(days=1), now + timedelta(minutes=config.learn_ahead_minutes)
    )
    counts: dict[str, tuple[int, int, int]] = {}
    for deck in store.decks():  # in deck-file order, as the quiz fills its queue
        new, learning, review = raw.get(deck, (0, 0, 0))
        new = min(new, daily.available("new", deck))
        review = min(review, daily.available("review", deck))
        daily.take("new", deck, new)
        daily.take("review", deck, review)
        counts[deck] = (new, learning, review)
    return dict(sorted(counts.items()))


def due_report(as_json: bool, db: Path | None, decks: list[Path] | None, hint: bool) -> str:
    """`drill due` (and bare `drill` with `hint`): per-deck counts as text or JSON."""
    from drill.clock import now

    store, options_for = open_store(db, decks)
    with store:
        counts = due_by_deck(store, options_for, now())
    total = [sum(c[i] for c in counts.values()) for i in range(3)]
    if as_json:
        rows = {
            deck: {"new": n, "learning": lrn, "review": rev}
            for deck, (n, lrn, rev) in counts.items()
        }
        payload: dict[str, Any] = {
            "decks": rows,
            "total": dict(zip(("new", "learning", "review"), total, strict=True)),
        }
        return json.dumps(payload, ensure_ascii=False, indent=2)
    if not counts:
        return "No cards yet. Add a deck (see README), then run drill quiz."
    width = max(len(deck) for deck in counts)
    lines = [f"{'deck':<{width}}  {'new':>5}  {'learn':>5}  {'review':>6}"]
    lines += [
        f"{deck:<{width}}  {n:>5}  {lrn:>5}  {rev:>6}" for deck, (n, lrn, rev) in counts.items()
    ]
    lines.append(f"{'total':<{width}}  {total[0]:>5}  {total[1]:>5}  {total[2]:>6}")
    if hint:
        lines += [
            "",
            "Next: drill quiz"
            if sum(total)
            else "Nothing due. drill quiz --cram goes through cards anyway.",
        ]
    return "\n".join(lines)


def check_deck(store: Any, deck: str | None) -> None:
    """A --deck that matches no deck is a mistake to report, not an empty session."""
    if deck is None:
        return
    import difflib

    from drill.model import deck_matches

    names = store.decks()
    if not any(deck_matches(name, deck) for name in names):
        close = difflib.get_close_matches(deck, names, n=1, cutoff=0.5)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        tops = list(dict.fromkeys(name.split("::")[0] for name in names))
        raise UserError(f"no deck named '{deck}'{hint}; top-level decks: {', '.join(tops)}", code=2)


def stats_report(as_json: bool, deck: str | None, db: Path | None, decks: list[Path] | None) -> str:
    """`drill stats`: the text report, or its numbers as JSON."""
    from drill import stats
    from drill.clock import now
    from drill.session import Filters

    store, options_for = open_store(db, decks)
    with store:
        check_deck(store, deck)
        data = stats.compute(
            store, now(), options_for("").scheduler, Filters(deck), options_for=options_for
        )
    return json.dumps(data, ensure_ascii=False, indent=2) if as_json else stats.render(data)


def report(err: UserError) -> int:
    """Print a UserError the way every command does; returns the exit code."""
    for problem in err.problems:
        sys.stderr.write(f"{problem}\n")
    sys.stderr.write(f"drill: {err.message}\n")
    return err.code
