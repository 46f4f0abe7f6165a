"""Bulk statements: rows inserted with one prepared statement per chunk, and IN lists
bound as one SQL node. Every batch writer inserts through these.
"""

from peewee import SQL
from peewee import ForeignKeyField
from peewee import fn

TEXT_START = 100  # characters of a text the natural-key indexes hold (migration 0005)


def text_start(column):
    """The indexed start of a text column; literals inlined so the expression index matches."""
    return fn.substr(column, SQL("1"), SQL(str(TEXT_START)))


def among(column, values):
    """`column IN (values)` with the values as one SQL node: Peewee converts an IN list value
    by value, which cost imports a tenth of their time on their big per-batch lookups."""
    values = list(values)
    if not values:
        return SQL("0 = 1")
    param = column.model._meta.database.param
    return column.in_(SQL("(" + ", ".join([param] * len(values)) + ")", values))


def starts_among(column, texts):
    """The indexed start of a text column among the starts of `texts`."""
    starts = {text[:TEXT_START] for text in texts}
    if not starts:
        return SQL("0 = 1")
    param = column.model._meta.database.param
    return text_start(column).in_(SQL("(" + ", ".join([param] * len(starts)) + ")",
                                      list(starts)))


def insert_rows(model, rows):
    """Insert dicts (field name → value; defaults fill the rest) with one statement per
    chunk, and return the new ids in the rows' order.

    Peewee's insert_many builds SQL value by value, which was most of an import's time; this
    builds the placeholders once. Ids come back sorted: both backends number the rows of a
    VALUES list in order, and the import holds the write lock (BEGIN IMMEDIATE on SQLite)."""
    database = model._meta.database
    fields = [f for f in model._meta.sorted_fields if f.name != "id"]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    defaults = [f.default() if callable(f.default) else f.default for f in fields]
    names = [f.name for f in fields]
    foreign = [i for i, f in enumerate(fields) if isinstance(f, ForeignKeyField)]
    table = model._meta.table_name
    ids = []
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        one = "(" + ", ".join([database.param] * len(fields)) + ")"
        sql = (f'INSERT INTO "{table}" ({columns}) VALUES ' + ", ".join([one] * len(chunk))
               + ' RETURNING "id"')
        params = [row.get(name, default) for row in chunk
                  for name, default in zip(names, defaults, strict=True)]
        for index in range(0, len(params), len(fields)):
            for position in foreign:  # a model instance where its id is meant
                if hasattr(params[index + position], "_pk"):
                    params[index + position] = params[index + position]._pk
        ids.extend(sorted(r[0] for r in database.execute_sql(sql, params).fetchall()))
    return ids


def insert_links(model, rows):
    """Insert rows (dicts with the same keys) whose new ids nobody reads (a link table, the
    history) with one prepared statement (executemany): Peewee's insert_many built their SQL
    value by value, and insert_rows' multi-row VALUES with RETURNING costs more per row."""
    database = model._meta.database
    fields = [model._meta.fields[name] for name in rows[0]]
    columns = ", ".join(f'"{f.column_name}"' for f in fields)
    one = ", ".join([database.param] * len(fields))
    database.cursor().executemany(
        f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({one})',
        [tuple(row[f.name] for f in fields) for row in rows])
