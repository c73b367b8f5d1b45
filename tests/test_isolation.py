"""The suite ignores the user's own drill: after `drill init ~/notes/drill`, or with DRILL_DB
exported in the shell, `make test` must still pass (conftest's autouse fixture)."""

from __future__ import annotations

import os


def test_no_user_config_database_or_decks_leak_in(tmp_path_factory):
    from drill.config import config_path
    from drill.services.settings import default_db_path, resolve

    base = tmp_path_factory.getbasetemp()
    assert not [name for name in os.environ if name.startswith("DRILL_")]
    assert config_path().is_relative_to(base)
    assert default_db_path().is_relative_to(base)
    settings = resolve()
    assert [f.source for f in settings.deck_folders] == ["bundled"]
