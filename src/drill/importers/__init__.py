"""`drill import`: cards from other formats into a YAML deck file.

Sources:

- CSV or TSV with a header row naming drill fields (`front,back,tags,id,...`), or `--columns`
  to name them; the delimiter is sniffed (falling back on the file extension).
- Anki's "Notes in Plain Text" export: tab-separated, with `#separator:`, `#html:`,
  `#guid column:`, `#notetype column:`, `#deck column:` and `#tags column:` header lines.
- An Anki package (`.apkg`): Basic, Basic (and reversed card) and Cloze notes. A current Anki
  keeps the real collection zstd-compressed in `collection.anki21b` (its `collection.anki2` is
  a stub asking for a newer Anki); older packages and genanki's hold it in
  `collection.anki21` or `collection.anki2`. The newest one present is read.

Every card gets a stable id, written into the YAML: the source's `id` column, else one made
from Anki's note GUID (`anki-...`), else a slug of the card's text. Importing into an existing
output file updates cards by id (or, without a source id, by their question) instead of adding
copies; cards added to that file by hand and `suspended:` flags are kept. Problems are
reported as `source:line: message` (for a package, the note's number stands for the line),
and nothing is written while there is one, unless `--skip-bad` leaves those rows out.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from drill.importers.common import ImportFailure, Item, Report, Source
from drill.importers.merge import columns_option, import_source, out_path
from drill.paths import display_path

__all__ = [
    "ImportFailure",
    "Item",
    "Report",
    "Source",
    "columns_option",
    "import_source",
    "out_path",
    "read_source",
]


def read_source(
    path: Path,
    *,
    kind: str | None = None,
    columns: Sequence[str] | None = None,
    header: bool = True,
) -> Source:
    """The items of any source drill imports, read by its kind of file."""
    from drill.importers.package import read_package
    from drill.importers.table import read_table

    shown = display_path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise ImportFailure(f"{shown} is a folder; name a .csv, .tsv, .txt or .apkg file") from None
    except OSError as err:
        raise ImportFailure(f"{shown}: cannot read: {err.strerror}") from None
    if path.suffix.lower() in (".apkg", ".colpkg") or data.startswith(b"PK\x03\x04"):
        return read_package(path, data, kind=kind)
    return read_table(path, data, kind=kind, columns=columns, header=header)
