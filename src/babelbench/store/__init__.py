"""results.duckdb: schema migrations, writes, and the shared read queries."""

from .db import Store, StoreError, migrate, schema_version
from .migrations import LATEST

__all__ = ["LATEST", "Store", "StoreError", "migrate", "schema_version"]
