"""Rows written in bulk, in their final state, with primary keys allocated here: ``COPY`` on
PostgreSQL, ``executemany`` in batches elsewhere. For load data only: nothing here checks
what the services check, on purpose."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from itertools import islice

from django.core.management.color import no_style
from django.db import connection
from django.db.models import JSONField, Model

BATCH_SIZE = 5000


class BulkWriter:
    """Allocates primary keys and writes rows (tuples in a given field order) in bulk:
    ``COPY`` on PostgreSQL, ``executemany`` in batches elsewhere."""

    def __init__(self, *, batch_size: int = BATCH_SIZE) -> None:
        self.batch_size = batch_size
        self.use_copy = connection.vendor == "postgresql"
        self.counts: Counter[str] = Counter()
        self._next_id: dict[type[Model], int] = {}

    def new_id(self, model: type[Model]) -> int:
        """The next free primary key of ``model``: above every existing row's."""
        if model not in self._next_id:
            table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
                self._next_id[model] = cursor.fetchone()[0] + 1
        pk = self._next_id[model]
        self._next_id[model] = pk + 1
        return pk

    def write(self, model: type[Model], names: str, rows: Iterable[tuple]) -> int:
        """Write ``rows``, tuples of the values of the fields ``names`` (separated by
        spaces) in that order."""
        fields = [model._meta.get_field(name) for name in names.split()]
        # Columns the caller does not name but the database needs (NOT NULL ones added
        # later, such as migration 0007's) get their model default, as the ORM would send.
        named = {f.name for f in fields}
        extra = [
            f
            for f in model._meta.concrete_fields
            if f.name not in named
            and not f.primary_key
            and not f.null
            # a default, or the empty string the ORM gives a text column without one
            and (f.has_default() or f.empty_strings_allowed)
        ]
        defaults = tuple(
            json.dumps(f.get_default())
            if self.use_copy and isinstance(f, JSONField)
            else f.get_default()
            for f in extra
        )
        fields += extra
        rows = (tuple(row) + defaults for row in rows)
        quote = connection.ops.quote_name
        table = quote(model._meta.db_table)
        columns = ", ".join(quote(f.column) for f in fields)
        written = 0
        with connection.cursor() as cursor:
            if self.use_copy:
                # Django's cursor wraps psycopg's, whose ``copy`` streams rows in COPY format.
                with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                        written += 1
            else:
                sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
                # The values exactly as the ORM would send them (dates, decimals, durations).
                prepared = (
                    [
                        f.get_db_prep_save(value, connection)
                        for f, value in zip(fields, row, strict=True)
                    ]
                    for row in rows
                )
                while batch := list(islice(prepared, self.batch_size)):
                    cursor.executemany(sql, batch)
                    written += len(batch)
        self.counts[model._meta.db_table] += written
        return written

    def reset_sequences(self) -> None:
        """Move the primary-key sequences past the keys allocated here (PostgreSQL; SQLite's
        AUTOINCREMENT follows inserted keys by itself)."""
        statements = connection.ops.sequence_reset_sql(no_style(), list(self._next_id))
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
