"""The storage package: drill's SQLite file. `Store` is the repository (one method per
query, records out); `migrations` the schema; `sync` brings the store in line with the
deck files. Nothing outside this package names a column."""

from drill.storage.migrations import SCHEMA_VERSION
from drill.storage.records import CardRecord, ReviewRecord, from_iso, iso
from drill.storage.store import Flags, StaleStateError, Store, StoreError, review_kind
from drill.storage.sync import SyncReport

__all__ = [
    "SCHEMA_VERSION",
    "CardRecord",
    "Flags",
    "ReviewRecord",
    "StaleStateError",
    "Store",
    "StoreError",
    "SyncReport",
    "from_iso",
    "iso",
    "review_kind",
]
