"""Model fields shared by domain apps."""

from __future__ import annotations

from django.db import models


class BinaryCharField(models.CharField):
    """A CharField compared byte-wise on every backend.

    Materialized paths and name prefixes are searched as ranges; PostgreSQL's locale collations
    ignore punctuation, so the column uses the "C" collation there (SQLite is binary already).
    The collation is chosen per connection so one migration serves both databases.
    """

    def db_parameters(self, connection):  # type: ignore[no-untyped-def]
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
