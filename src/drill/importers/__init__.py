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

from drill.importers.common import ImportFailure, Item, Report, Source
from drill.importers.merge import columns_option, import_source, out_path
from drill.importers.sources import read_source

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
