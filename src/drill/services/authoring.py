"""`drill init` and `drill add`: writing the user's deck files (drill.authoring keeps their
bytes; this layer picks the ids they must avoid and says what was done)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drill import authoring
from drill.model import ContentError
from drill.services.errors import DrillError, UsageError
from drill.services.settings import Settings


def _failure(err: authoring.AuthoringError, usage: bool = False) -> DrillError:
    cls = UsageError if usage and not err.problems else DrillError
    return cls(err.message, err.problems)


@dataclass(frozen=True)
class Initialised:
    made: authoring.Initialised
    config_file: Path
    added: bool | None  # added to `decks:`; False: already there; None: could not edit it
    problems: tuple[Any, ...] = ()


def init(settings: Settings, folder: Path, deck: str | None = None) -> Initialised:
    from drill.config import add_deck_folder

    name = deck or authoring.default_deck_name(folder)
    roots = settings.deck_roots + ([folder] if folder.is_dir() else [])
    try:
        made = authoring.init_deck(folder, name, authoring.loaded_ids(roots))
    except authoring.AuthoringError as err:
        raise _failure(err) from None
    except OSError as err:
        raise DrillError(f"cannot write {err.filename or folder}: {err.strerror or err}") from None
    try:
        added: bool | None = add_deck_folder(folder)
        problems: tuple[Any, ...] = ()
    except (ContentError, OSError) as err:
        added, problems = None, tuple(getattr(err, "problems", []))
    return Initialised(made, settings.config_file, added, problems)


def kind_for(kind: str | None, given: Mapping[str, Any]) -> str:
    """The kind to add (default basic); UsageError when an option does not belong to it."""
    try:
        return authoring.check_options(kind, given)
    except authoring.AuthoringError as err:
        raise _failure(err, usage=True) from None


@dataclass(frozen=True)
class AddedCard:
    added: authoring.Added
    kind: str
    twin: Any  # a loaded note of the same kind with the same text (both are kept), or None


def add(
    settings: Settings,
    file: Path,
    kind: str,
    fields: Mapping[str, Any],
    *,
    card_id: str | None = None,
    tags: Sequence[str] = (),
    source: str | None = None,
    note: str | None = None,
) -> AddedCard:
    from drill.names import id_problem

    if card_id is not None and (message := id_problem(card_id)) is not None:
        raise UsageError(f"--id: {message}")
    roots = [*settings.deck_roots, file]
    taken = authoring.loaded_ids(roots)
    if card_id is not None and card_id in taken:
        raise DrillError(f"id '{card_id}' is already used at {taken[card_id]}")
    try:
        card = authoring.build_card(
            kind, fields, card_id=card_id, taken=taken, tags=tags, source=source, note=note
        )
        twin = authoring.duplicate_of(roots, kind, fields)
        added = authoring.add_card(file, card, taken)
    except authoring.AuthoringError as err:
        raise _failure(err, usage=True) from None
    except OSError as err:
        raise DrillError(f"cannot write {err.filename or file}: {err.strerror or err}") from None
    return AddedCard(added, kind, twin)
