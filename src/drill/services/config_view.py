"""`drill config show`: the settings in effect and where each value came from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drill.options import DeckOptions
from drill.services.settings import Settings
from drill.services.workspace import Workspace


@dataclass(frozen=True)
class ConfigReport:
    settings: Settings
    deck: str | None
    options: dict[str, tuple[Any, str]]  # option -> (value in effect, where it came from)

    def to_json(self) -> dict[str, Any]:
        s = self.settings
        return {
            "config_file": {"path": str(s.config_file), "exists": s.config_exists},
            "database": {"path": str(s.database.value), "from": s.database.source},
            "bundled_decks": s.bundled,
            "deck_folders": [{"path": str(f.value), "from": f.source} for f in s.deck_folders],
            "sync_url": s.sync_url,
            "deck": self.deck,
            "options": {name: {"value": v, "from": f} for name, (v, f) in self.options.items()},
        }


def describe(
    settings: Settings, ws: Workspace | None = None, deck: str | None = None
) -> ConfigReport:
    """Study options in effect for every deck, or for `deck` (which needs the workspace:
    its deck files' options)."""
    deck_values: dict[str, Any] = {}
    if deck is not None and ws is not None:
        ws.check_deck(deck)
        deck_values = ws.store.deck_options().get(deck, {})
    effective = DeckOptions().with_values(settings.options).with_values(deck_values).describe()
    options = {
        name: (
            value,
            "deck file"
            if name in deck_values
            else "config file"
            if name in settings.options
            else "default",
        )
        for name, value in effective.items()
    }
    return ConfigReport(settings, deck, options)
