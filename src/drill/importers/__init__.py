"""`drill import`: cards from other formats into a YAML deck file.

Sources:

- CSV or TSV with a header row naming drill fields (`front,back,tags,id,...`), or `--columns`
  to name them; the delimiter is sniffed (falling back on the file extension).
- Anki's "Notes in Plain Text" export: tab-separated, with `#separator:`, `#html:`,
  `#guid column:`, `#notetype column:`, `#deck column:` and `#tags column:` header lines.
- An Anki package (`.apkg`, `.colpkg`) or collection (`.anki2`, `.anki21`, `.anki21b`), in any
  format Anki has written (drill.anki.reader): every note of every note type, its note type
  kept for the round trip, its GUID, media and deck; one deck file per deck
  (drill.importers.package, .notetypes, .targets).

Every card gets a stable id, written into the YAML: the source's `id` column, else one made
from Anki's note GUID (`anki-...`), else a slug of the card's text. Importing into an existing
output file updates cards by id (or, without a source id, by their question) instead of adding
copies; cards added to that file by hand and `suspended:` flags are kept. Problems are
reported as `source:line: message` (for a package, the note's number stands for the line),
and nothing is written while there is one, unless `--skip-bad` leaves those rows out.
"""

from __future__ import annotations

from drill.importers.common import ImportFailure, Item, Report, Source
from drill.importers.merge import columns_option, import_source
from drill.importers.sources import read_source

__all__ = [
    "ImportFailure",
    "Item",
    "Report",
    "Source",
    "columns_option",
    "import_source",
    "read_source",
]
