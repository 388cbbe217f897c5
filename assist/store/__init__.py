"""Call records in SQLite: schema + migrations, the durable writer, search, export (see records.py)."""

from .db import RecordStoreError
from .export_target import ExportTargetError
from .read import FilterError
from .records import RecordStore
from .schema import SCHEMA_VERSION

__all__ = ["RecordStore", "RecordStoreError", "FilterError", "ExportTargetError", "SCHEMA_VERSION"]
