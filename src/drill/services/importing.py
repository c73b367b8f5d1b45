"""`drill import`: cards from CSV/TSV, Anki text exports and Anki packages into a YAML deck."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from drill.importers.common import Report
from drill.services.errors import DrillError
from drill.services.settings import Settings


@dataclass(frozen=True)
class ImportResult:
    report: Report
    target: Path
    in_deck_folder: bool  # the output is inside a deck folder in effect


def import_file(
    settings: Settings,
    source: Path,
    deck: str,
    out: Path | None = None,
    *,
    kind: str | None = None,
    columns: Sequence[str] | None = None,
    header: bool = True,
    skip_bad: bool = False,
) -> ImportResult:
    from drill import authoring
    from drill import importers as importer

    target = importer.out_path(deck, out)
    roots = settings.deck_roots
    try:
        report = importer.import_source(
            source,
            deck,
            target,
            kind=kind,
            columns=columns,
            header=header,
            skip_bad=skip_bad,
            taken=authoring.loaded_ids(roots, exclude=target),
        )
    except importer.ImportFailure as err:
        raise DrillError(err.message, err.problems) from None
    except OSError as err:
        raise DrillError(f"cannot write {err.filename or target}: {err.strerror or err}") from None
    folder = target.resolve().parent
    inside = any(folder == r.resolve() or r.resolve() in folder.parents for r in roots)
    return ImportResult(report, target, inside)
