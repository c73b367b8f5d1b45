"""Where drill's files are: the bundled decks and the JSON Schema."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from drill.model import Problem

DECK_SUFFIXES = (".yaml", ".yml")

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


def display_path(path: Path, *, anchored: bool = False) -> str:
    """A path as the user would type it: relative to the working directory when it is
    inside it (`decks/x.yaml`), else `~/...` under the home folder, else absolute. A home
    folder inside the working directory wins (`~/notes/x.yaml`, not `tmp/home/notes/...`).
    `anchored`: never relative (for text that is read from anywhere, like a file's comment)."""
    absolute = Path(os.path.abspath(path))
    home = Path.home()
    cwd = Path.cwd()
    under_home = absolute.is_relative_to(home)
    if (
        not anchored
        and absolute.is_relative_to(cwd)
        and not (under_home and home.is_relative_to(cwd) and home != cwd)
    ):
        return str(absolute.relative_to(cwd)) if absolute != cwd else "."
    if under_home:
        return "~" if absolute == home else str(Path("~") / absolute.relative_to(home))
    return str(absolute)


def find_deck_files(paths: Iterable[Path]) -> tuple[list[Path], list[Problem]]:
    """Deck files named directly, and `*.yaml`/`*.yml` found recursively in folders."""
    files: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        if path.is_dir():
            found = []
            for folder, dirs, names in os.walk(path):
                dirs[:] = [d for d in dirs if not d.startswith(".")]  # hidden folders: skipped
                found += [
                    Path(folder, n)
                    for n in names
                    if n.endswith(DECK_SUFFIXES) and not n.startswith(".")
                ]
            files.extend(sorted(found))
        elif path.is_file():
            files.append(path)
        else:
            problems.append(Problem(display_path(path), 0, "no such file or folder"))
    # The same file named twice (a folder and a file in it) is read once.
    unique: dict[Path, Path] = {}
    for f in files:
        unique.setdefault(f.resolve(), f)
    return list(unique.values()), problems
