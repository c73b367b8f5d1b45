"""`drill build`: Anki packages of the decks, re-importable as updates (drill.anki.package).

A note's modification time is when its text last changed, which the store knows: the store is
synced with the files being built (only those: the rest of the store is left as it is)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from drill.model import ContentError, deck_matches, select
from drill.names import plural
from drill.services.errors import DrillError, UsageError, problems_message
from drill.services.settings import Settings
from drill.services.workspace import Workspace, open_workspace


@dataclass(frozen=True)
class BuildRequest:
    paths: Sequence[Path] = ()
    out: Path = Path("build")
    deck: str | None = None
    tag: str | None = None
    kind: str | None = None
    single: bool = False
    problems: int = 0  # generated instances of each estimation problem
    seed: int = 0
    with_progress: bool = False


@dataclass
class BuildResult:
    written: list = field(default_factory=list)  # drill.anki.package.Written
    left_out_notes: int = 0  # suspended in the YAML: genanki cannot write suspended cards
    left_out_cards: int = 0
    left_out_problems: int = 0  # problem templates not built (no --problems N)
    with_progress: bool = False


def build(settings: Settings, now: datetime, request: BuildRequest) -> BuildResult:
    from drill.anki import package
    from drill.content import cards_of, load
    from drill.kinds import KINDS, unknown_kind
    from drill.paths import find_deck_files
    from drill.problems import ProblemError

    if request.kind is not None and request.kind not in (*KINDS, "problem"):
        raise UsageError(unknown_kind(request.kind, ("problem",)))
    if request.kind == "problem" and not request.problems:
        raise UsageError("--kind problem builds generated problems: add --problems N")
    roots = list(request.paths) or settings.deck_roots
    collection = load(roots)
    if collection.problems:
        raise DrillError(
            problems_message(collection.problems)
            + "; fix them and run again (`drill check` lists them)",
            collection.problems,
        )
    notes = select(collection.notes, request.deck, request.kind, request.tag)
    matching = [
        t
        for t in collection.templates
        if not t.suspended
        and request.kind in (None, "problem")
        and (request.deck is None or deck_matches(t.deck, request.deck))
        and (request.tag is None or request.tag in t.tags)
    ]
    templates = matching if request.problems else []
    if not templates and not any(not n.suspended for n in notes):
        raise DrillError("no cards match" if not notes else "every matching card is suspended")
    files, _ = find_deck_files(roots)
    try:
        extra = package.problem_notes(templates, request.problems, request.seed, now)
        with open_workspace(settings, now, paths=files) as ws:
            changed = ws.store.note_changed_times()
            progress = read_progress(ws) if request.with_progress else None
        kept = [n for n in notes if not n.suspended]
        exported = [*package.export_notes(kept, changed, now), *extra]
        if progress is not None:
            exported = package.tag_leeches(exported, progress)
        written = package.write_packages(
            exported, request.out, single=request.single, progress=progress
        )
    except (ContentError, ProblemError) as err:
        raise DrillError(str(err)) from None
    except OSError as err:
        raise DrillError(
            f"cannot write {err.filename or request.out}: {err.strerror or err}"
        ) from None
    suspended = [n for n in notes if n.suspended]
    return BuildResult(
        written=written,
        left_out_notes=len(suspended),
        left_out_cards=sum(len(cards_of(n)) for n in suspended),
        left_out_problems=len(matching) - len(templates),
        with_progress=request.with_progress,
    )


def read_progress(ws: Workspace):  # -> drill.anki.progress.Progress
    """Every card's schedule and review log, as the export writes them."""
    from drill.anki.progress import CardProgress, Logged, Progress

    reviews: dict[str, list[Logged]] = {}
    for record in ws.store.reviews():
        reviews.setdefault(record.card_id, []).append(Logged.of_record(record))
    options_for = ws.options_for
    return Progress(
        cards={
            cid: CardProgress(state, suspended, leech)
            for cid, (state, suspended, leech) in ws.store.card_progress().items()
        },
        reviews=reviews,
        options_for=lambda deck: options_for(deck).scheduler,
        now=ws.now,
    )


def summary(result: BuildResult) -> list[str]:
    """What was written, as lines (for the CLI)."""
    lines = []
    for w in result.written:
        line = (
            f"wrote {w.path}: {plural(len(w.decks), 'deck')}, {plural(w.notes, 'note')}, "
            f"{plural(w.cards, 'card')}" + (f", {plural(w.media, 'media file')}" if w.media else "")
        )
        if result.with_progress:
            line += (
                f"; progress: {plural(w.scheduled, 'card')} scheduled, "
                f"{plural(w.reviews, 'review')}"
            )
        lines.append(line)
    if result.left_out_notes:
        lines.append(
            f"left out {plural(result.left_out_notes, 'suspended note')} "
            f"({plural(result.left_out_cards, 'card')})"
        )
    if result.left_out_problems:
        lines.append(
            f"left out {plural(result.left_out_problems, 'estimation problem')}: each review "
            "draws fresh numbers, so Anki gets generated instances only with --problems N"
        )
    return lines
