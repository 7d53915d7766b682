"""Hand-compiled statements for the hottest paths (a check-in, an audit row, a request's grants).

Compiling an ORM query costs more than the database's work for a one-row statement: on the
reference machine an ORM ``create`` of an audit row costs about 0.45 ms against 0.2 ms for the
same INSERT by hand, and a ``select_related`` read of one row 0.5 ms against 0.02 ms
(bench/checkin.py). These helpers keep Django's own value adaptation (each field's
``get_db_prep_save``: time zones, JSON, booleans) and only skip the query compiler; the SQL text
is built once per model and connection vendor.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import connection, connections, models


@cache
def _insert_sql(model: type[models.Model], vendor: str, ignore_conflicts: bool) -> tuple[str, tuple[models.Field, ...]]:
    meta = model._meta
    fields = tuple(f for f in meta.concrete_fields if not f.primary_key)
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) "  # noqa: S608 - names from the model
        f"VALUES ({', '.join(['%s'] * len(fields))})"
        f"{' ON CONFLICT DO NOTHING' if ignore_conflicts else ''} RETURNING {qn(meta.pk.column)}"
    )
    return sql, fields


def insert(obj: models.Model, *, ignore_conflicts: bool = False) -> bool:
    """INSERT ``obj`` (an auto primary key, every other concrete column from the instance) and set
    its pk. With ``ignore_conflicts`` a row refused by any unique constraint is skipped: returns
    False and ``obj`` stays unsaved. Both SQLite (≥ 3.35) and PostgreSQL take ``RETURNING``."""
    statement = Insert(obj, ignore_conflicts=ignore_conflicts)
    with connection.cursor() as cur:
        return statement.run(cur)


class Insert:
    """An INSERT of ``obj`` with its values adapted now, to run later: a caller that holds a lock
    while it writes (SQLite's single writer) prepares its statements before taking it. ``set``
    changes one value afterwards (a key the transaction learns, such as a new row's id).
    Adapted values may still refer to mutable objects (PostgreSQL wraps a JSON dict, it does not
    copy it): do not change them between making and running the statement."""

    def __init__(self, obj: models.Model, *, ignore_conflicts: bool = False) -> None:
        if obj.pk is not None:
            raise ValueError(f"fastsql.Insert: {obj!r} has a primary key already; the database assigns it")
        self.obj = obj
        self.sql, self.fields = _insert_sql(type(obj), connection.vendor, ignore_conflicts)
        self.values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in self.fields]

    def set(self, attname: str, value: Any) -> None:
        setattr(self.obj, attname, value)
        i = next(i for i, f in enumerate(self.fields) if f.attname == attname)
        self.values[i] = self.fields[i].get_db_prep_save(value, connection)

    def run(self, cur: Any) -> bool:
        """Execute on ``cur``; False when a unique constraint skipped the row (``ignore_conflicts``)."""
        cur.execute(self.sql, self.values)
        row = cur.fetchone()
        if row is None:
            return False
        self.obj.pk = row[0]
        self.obj._state.adding, self.obj._state.db = False, connection.alias
        return True


def db_now(value: Any) -> Any:
    """A datetime as the ORM stores it (naive UTC text on SQLite), for hand-written statements."""
    return connection.ops.adapt_datetimefield_value(value)


def columns(model: type[models.Model], alias: str) -> str:
    """``alias.col, …`` for every concrete field of ``model``, in the order ``build`` reads."""
    return _columns(model, alias, connection.vendor)


@cache
def _columns(model: type[models.Model], alias: str, vendor: str) -> str:
    return ", ".join(f"{alias}.{connection.ops.quote_name(f.column)}" for f in model._meta.concrete_fields)


def _converters(model: type[models.Model]) -> list[tuple[int, Any, list[Any]]]:
    """Django's converters per column (the backend's, then the field's), as the compiler applies
    them; cached on the thread's connection, whose operations they are bound to."""
    wrapper = connections[connection.alias]
    cache_ = wrapper.__dict__.setdefault("_gonghui_converters", {})
    if model not in cache_:
        out = []
        for i, f in enumerate(model._meta.concrete_fields):
            col = f.get_col(model._meta.db_table)
            convs = wrapper.ops.get_db_converters(col) + col.get_db_converters(wrapper)
            if convs:
                out.append((i, col, convs))
        cache_[model] = out
    return cache_[model]


def build(model: type[models.Model], values: Any) -> models.Model:
    """A model instance from the columns ``columns(model, …)`` selected, converted as the ORM does."""
    values = list(values)
    wrapper = connections[connection.alias]
    for i, col, convs in _converters(model):
        value = values[i]
        for convert in convs:
            value = convert(value, col, wrapper)
        values[i] = value
    return model.from_db(wrapper.alias, _attnames(model), values)


@cache
def _attnames(model: type[models.Model]) -> list[str]:
    return [f.attname for f in model._meta.concrete_fields]
