"""Full-text search: the one place where SQLite FTS5 and PostgreSQL full text differ.

Both engines read the same search-box syntax: words (all must match), "quoted phrases",
OR, and -exclusions. User text never reaches an engine unparsed: SQLite gets peewee's
translation to a valid FTS5 query, PostgreSQL gets `websearch_to_tsquery`, which accepts
any text. Relevance is a score where lower is better on both (bm25; minus ts_rank).
"""

import html

from peewee import SQL
from peewee import Expression
from peewee import Table
from peewee import fn
from playhouse import fts_parser

from .costs import check_search_terms
from .db import database
from .db import is_sqlite

CONFIG = "claimbase"  # the PostgreSQL text-search configuration (migration 0003)
MARK_START, MARK_END = "\ue000", "\ue001"  # private-use sentinels, replaced after escaping
SNIPPET_WORDS = 16
INDEXED = {"quote": ("text",), "claim": ("text",), "source": ("title", "text")}


def _fts_table(model):
    name = model._meta.table_name
    return Table(f"{name}_fts", ("rowid", *INDEXED[name]))


def _fts_query(model, q):
    return fts_parser.parse(q, INDEXED[model._meta.table_name])


def _tsquery(q):
    return fn.websearch_to_tsquery(SQL(f"'{CONFIG}'"), q)


def _search_column(model):
    """The generated tsvector column (not a model field: SQLite has none). Unqualified, so
    it is only used in single-table statements."""
    return SQL("search")


def _document(model):
    columns = [getattr(model, c) for c in INDEXED[model._meta.table_name]]
    if len(columns) == 1:
        return columns[0]
    return fn.CONCAT_WS(" ", *[fn.COALESCE(c, "") for c in columns])


def hits(model, q):
    """A subquery of (id, score) for the rows of `model` matching `q`; lower score = better."""
    check_search_terms(q)
    if is_sqlite():
        index = _fts_table(model)
        name = SQL(index._path[0])
        return (index.select(index.rowid.alias("id"), fn.bm25(name).alias("score"))
                .where(Expression(name, "MATCH", _fts_query(model, q))))
    column = _search_column(model)
    score = fn.ts_rank(column, _tsquery(q)) * -1  # (unary minus would be DESC in peewee)
    table = Table(model._meta.table_name, ("id",))  # a plain table, as for SQLite's index
    return (table.select(table.id.alias("id"), score.alias("score"))
            .where(Expression(column, "@@", _tsquery(q))))


def snippets(model, q, ids):
    """{id: snippet} for these rows: an HTML fragment, text escaped, matches in <mark>."""
    if not ids:
        return {}
    if is_sqlite():
        index = _fts_table(model)
        name = SQL(index._path[0])
        query = (index.select(index.rowid, fn.snippet(name, -1, MARK_START, MARK_END, "…",
                                                      SNIPPET_WORDS))
                 .where(Expression(name, "MATCH", _fts_query(model, q)) & index.rowid.in_(ids)))
    else:
        options = (f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords={SNIPPET_WORDS * 2}, "
                   f"MinWords={SNIPPET_WORDS // 2}, MaxFragments=2, FragmentDelimiter=\" … \"")
        headline = fn.ts_headline(SQL(f"'{CONFIG}'"), _document(model), _tsquery(q), options)
        query = model.select(model.id, headline).where(model.id.in_(ids))
    return {row_id: _as_html(raw) for row_id, raw in database.execute(query).fetchall()}


def _as_html(raw):
    escaped = html.escape(raw or "", quote=False)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
