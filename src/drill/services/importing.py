"""`drill import`: cards from CSV/TSV, Anki text exports and Anki packages into a YAML deck."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drill.importers.common import Report
from drill.services.errors import DrillError
from drill.services.settings import Settings


@dataclass(frozen=True)
class ImportResult:
    reports: list[Report]  # one per deck file written
    in_deck_folder: bool  # every output is inside a deck folder in effect
    history: Any = None  # drill.services.history.PullReport: the package's progress, once in
    source: Path = Path()

    @property
    def report(self) -> Report:
        return self.reports[0]

    @property
    def target(self) -> Path:
        return self.reports[0].out


def import_file(
    settings: Settings,
    source: Path,
    deck: str | None,
    out: Path | None = None,
    *,
    kind: str | None = None,
    columns: Sequence[str] | None = None,
    header: bool = True,
    skip_bad: bool = False,
    progress: bool = True,
) -> ImportResult:
    """Import `source` into deck files (drill.importers). With `progress`, a package's
    scheduling and review log then come into drill's store too, as `drill pull` brings them,
    when the files are in a deck folder drill reads (else its cards are not drill's yet)."""
    from drill import authoring
    from drill import importers as importer

    roots = settings.deck_roots
    try:
        reports = importer.import_source(
            source,
            deck,
            out,
            kind=kind,
            columns=columns,
            header=header,
            skip_bad=skip_bad,
            taken=lambda targets: authoring.loaded_ids(roots, exclude=targets),
        )
    except importer.ImportFailure as err:
        raise DrillError(err.message, err.problems) from None
    except OSError as err:
        raise DrillError(f"cannot write {err.filename or out}: {err.strerror or err}") from None
    resolved = [r.resolve() for r in roots]

    def inside(path: Path) -> bool:
        folder = path.resolve().parent
        return any(folder == r or r in folder.parents for r in resolved)

    in_decks = all(inside(r.out) for r in reports)
    history = None
    if progress and in_decks and reports[0].scheduled:
        from drill.services.history import pull_file

        history = pull_file(settings, source)
    return ImportResult(reports, in_decks, history, source)
