"""Which importer reads a file: by its extension and its first bytes."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from drill.importers.common import ImportFailure, Source
from drill.importers.package import read_package
from drill.importers.table import read_table
from drill.paths import display_path

# Anki's files: packages, and bare collections (SQLite, or zstd-compressed SQLite).
ANKI_SUFFIXES = (".apkg", ".colpkg", ".anki2", ".anki21", ".anki21b")
ANKI_MAGIC = (b"PK\x03\x04", b"SQLite format 3\x00", b"\x28\xb5\x2f\xfd")


def read_source(
    path: Path,
    *,
    kind: str | None = None,
    columns: Sequence[str] | None = None,
    header: bool = True,
) -> Source:
    """The items of any source drill imports, read by its kind of file."""
    shown = display_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise ImportFailure(f"{shown} is a folder; name a .csv, .tsv, .txt or .apkg file") from None
    except OSError as err:
        raise ImportFailure(f"{shown}: cannot read: {err.strerror}") from None
    if path.suffix.lower() in ANKI_SUFFIXES or data.startswith(ANKI_MAGIC):
        return read_package(path, data, kind=kind)
    return read_table(path, data, kind=kind, columns=columns, header=header)
