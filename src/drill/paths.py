"""Where drill's files are: the bundled decks and the JSON Schema."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def bundled_decks_dir() -> Path:
    """The decks shipped with drill: inside the installed package (wheel, `pip install .`),
    or the repository's decks/ folder when running from a checkout or an editable install."""
    installed = _PACKAGE / "decks"
    if installed.is_dir():
        return installed
    return _PACKAGE.parents[1] / "decks"


def schema_path() -> Path:
    return _PACKAGE / "schema" / "deck.schema.json"
