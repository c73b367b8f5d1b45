"""`drill check`: every problem in the decks, all at once, as `path:line: message`; and the
content lints' warnings (drill.lints): always the rules in RULES_ALWAYS, all with `lint`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from drill.model import Collection, Problem
from drill.services.settings import Settings


@dataclass(frozen=True)
class CheckReport:
    collection: Collection
    problems: list[Problem]
    rename_hints: list[tuple[str, str]] = field(default_factory=list)  # (old id, new id)
    warnings: list[Problem] = field(default_factory=list)  # lints: never make the check fail

    @property
    def ok(self) -> bool:
        return not self.problems and bool(self.collection.files)

    @property
    def files_with_problems(self) -> int:
        return len({p.path for p in self.problems})


def check(settings: Settings, paths: Sequence[Path] = (), lint: bool = False) -> CheckReport:
    """Load the decks under `paths` (default: every deck folder in effect) and collect every
    problem, and the warnings of the content lints (every rule with `lint`, else only those
    run always). Where the database knows a card with history whose id left the decks, and a
    new card has the same text, a `drill rename` is suggested (read from the database as it
    is; nothing is written)."""
    from drill import lints
    from drill.content import load

    collection = load(list(paths) or settings.deck_roots)
    problems = list(collection.problems) + _missing_citations(settings, collection, bool(paths))
    warnings = lints.lint(collection.notes, lints.RULES if lint else lints.RULES_ALWAYS)
    return CheckReport(
        collection,
        sorted(problems),
        _rename_hints(settings, collection),
        warnings,
    )


def _missing_citations(settings: Settings, collection: Collection, partial: bool) -> list[Problem]:
    """Thresholds citing a card the checked files do not have: looked for in every deck
    folder in effect (a template of yours may cite the bundled numbers deck)."""
    from drill.content import check_citations, load
    from drill.names import did_you_mean

    _found, unresolved = check_citations(collection.templates, collection.cards)
    if not unresolved:
        return []
    cards = collection.cards
    if partial:
        cards = cards + load(settings.deck_roots).cards
    templates = list({id(t): t for t, _ in unresolved}.values())
    problems, still = check_citations(templates, cards)
    wanted = {(t.location.path, th.line) for t, th in unresolved}
    problems = [p for p in problems if (p.path, p.line) in wanted]
    known = sorted({c.id for c in cards} | {c.note_id for c in cards})
    for template, threshold in still:
        problems.append(
            Problem(
                template.location.path,
                threshold.line,
                f"threshold cites '{threshold.cite}', which no deck file has"
                f"{did_you_mean(threshold.cite, known)}",
            )
        )
    return problems


def _rename_hints(settings: Settings, collection: Collection) -> list[tuple[str, str]]:
    if not settings.db.exists():
        return []
    from drill.storage import Store, StoreError

    try:
        with Store(settings.db) as store:
            loaded = {c.id for c in collection.cards}
            # Cards with history whose id the decks no longer have.
            by_hash = {h: i for i, h in store.reviewed_cards() if i not in loaded}
            if not by_hash:
                return []
            hints = []
            for card in collection.cards:
                old = by_hash.get(card.content_hash)
                if old is not None and not store.history(card.id):
                    hints.append((old, card.id))
            return hints
    except StoreError:
        return []
