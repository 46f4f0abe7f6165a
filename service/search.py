"""Full-text search: the one place where SQLite FTS5 and PostgreSQL full text differ.

Both engines read one search-box syntax (service/query_syntax.py), parsed once in Python into
a tree that is rendered here to an FTS5 MATCH expression and to a PostgreSQL tsquery with the
same meaning: user text never reaches an engine unparsed. A word matches as written
(language-neutral) or by its stem in the text's language: in `lang` when given, else in any
language Claimbase stems (service/analysis.py). Relevance is a score where lower is better on
both (bm25; minus ts_rank).
"""

import html
import re
import secrets
import time

from peewee import SQL
from peewee import Expression
from peewee import Select
from peewee import Table
from peewee import fn

from . import query_syntax
from .analysis import STEMMERS
from .analysis import language
from .analysis import stem
from .db import database
from .db import is_sqlite
from .query_syntax import And
from .query_syntax import Not
from .query_syntax import Or
from .query_syntax import Phrase
from .query_syntax import Prefix
from .query_syntax import Word

CONFIG = "claimbase"  # PostgreSQL: words as written (migration 0009); stems: CONFIG_<algorithm>
SNIPPET_WORDS = 16
RANK_WINDOW = 1000  # matches ranked by relevance: the newest ones (window_start)
INDEXED = {"quote": ("text",), "claim": ("text",), "source": ("title", "text")}


def _fts_table(model):
    name = model._meta.table_name
    return Table(f"{name}_fts", ("rowid", *INDEXED[name], "stems"))


def _algorithms(lang):
    """The stemmers a query's words go through: its language's, else every one."""
    if lang:
        return [language(lang)] if language(lang) else []
    return sorted(set(STEMMERS.values()))


def _fts_forms(word, lang):
    forms = dict.fromkeys([word.lower(), *(stem(word, a) for a in _algorithms(lang))])
    return "(" + " OR ".join(f'"{form}"' for form in forms) + ")"


def _fts(node, model, lang):
    """The FTS5 MATCH expression of a parsed query (tokens are letters and digits only)."""
    if isinstance(node, Word):
        return _fts_forms(node.text, lang)
    if isinstance(node, Prefix):
        return f'"{node.text}"*'
    if isinstance(node, Phrase):
        columns = " ".join(INDEXED[model._meta.table_name])
        return f'({{{columns}}} : "{" ".join(node.words)}")'
    if isinstance(node, Or):
        return "(" + " OR ".join(_fts(n, model, lang) for n in node.nodes) + ")"
    kept = [n for n in node.nodes if not isinstance(n, Not)]
    expression = "(" + " AND ".join(_fts(n, model, lang) for n in kept) + ")"
    for excluded in (n.node for n in node.nodes if isinstance(n, Not)):
        expression = f"({expression} NOT {_fts(excluded, model, lang)})"
    return expression


def _fts_query(model, q, lang=None):
    return _fts(query_syntax.parse(q), model, lang)


def _lexeme(token):
    return f"'{token}'"  # letters and digits only: nothing to escape


def _leaves(node, lang):
    """The (configuration, to_tsquery text) calls of a parsed query, each node's in a list
    (a word: one per configuration)."""
    if isinstance(node, Word):
        configs = [CONFIG, *(f"{CONFIG}_{a}" for a in _algorithms(lang))]
        return [(c, _lexeme(node.text)) for c in configs]
    if isinstance(node, Prefix):
        return [(CONFIG, _lexeme(node.text) + ":*")]
    if isinstance(node, Phrase):  # weight A: the words as written, not their stems
        return [(CONFIG, " <-> ".join(_lexeme(w) + ":A" for w in node.words))]
    if isinstance(node, Not):
        return _leaves(node.node, lang)
    return [leaf for child in node.nodes for leaf in _leaves(child, lang)]


_NORMALISED = {}  # (configuration, text) → to_tsquery's result as text ('' when no lexeme)
_NORMALISED_MAX = 50_000


def _normalise(leaves):
    """{(configuration, text): tsquery text} for these calls: PostgreSQL's own dictionaries
    normalise each word (Python's Snowball port differs from PostgreSQL 15's on some
    Spanish words), in one round trip for the calls not already known. A configuration
    changes only with a migration, so the results are kept for the process."""
    known = {leaf: _NORMALISED.get(leaf) for leaf in leaves}
    missing = [leaf for leaf, text in known.items() if text is None]
    if missing:
        columns = ", ".join("to_tsquery(%s::regconfig, %s)::text" for _ in missing)
        row = database.execute_sql(f"SELECT {columns}",
                                   [value for leaf in missing for value in leaf]).fetchone()
        found = dict(zip(missing, row, strict=True))
        known.update(found)
        if len(_NORMALISED) + len(found) > _NORMALISED_MAX:
            _NORMALISED.clear()
        _NORMALISED.update(found)
    return known


def _tsquery_text(node, lang, normalised):
    """The tsquery of a parsed query as text, or None when it holds no lexeme. It means what
    the tsquery operators (||, &&, !!) make of the same to_tsquery calls, an operand without
    lexemes being dropped as they drop it, and a word's forms appear once each: a word
    searched in every language was 'secret' | 'secret' | … once per configuration, which
    PostgreSQL tested against every row and ranked term by term."""
    if isinstance(node, Word | Prefix | Phrase):
        forms = [normalised[leaf] for leaf in _leaves(node, lang)]
        return _join(list(dict.fromkeys(form for form in forms if form)), "|")
    if isinstance(node, Not):
        inner = _tsquery_text(node.node, lang, normalised)
        return None if inner is None else f"!{inner}"
    operator = "|" if isinstance(node, Or) else "&"
    parts = [_tsquery_text(n, lang, normalised) for n in node.nodes]
    return _join([part for part in parts if part is not None], operator)


def _join(parts, operator):
    if not parts:
        return None
    return "( " + f" {operator} ".join(f"( {part} )" for part in parts) + " )"


def _tsquery(q, lang=None):
    """The tsquery of a query, as a constant: PostgreSQL plans with the lexemes' own
    statistics and evaluates no to_tsquery per row (a tsquery built in the statement from
    to_tsquery calls was recomputed for every match it was tested against and ranked)."""
    node = query_syntax.parse(q)
    text = _tsquery_text(node, lang, _normalise(_leaves(node, lang))) or ""
    # A literal, not a parameter: psycopg prepares a statement run five times on a
    # connection, and the generic plan of `search @@ $1` assumes every word equally rare (a
    # rare word's window walked the whole primary key). SQL quoting: standard strings.
    return SQL("'" + text.replace("'", "''") + "'::tsquery")


# --- PostgreSQL: which plan reads the newest matches ---------------------------------------
#
# The newest matches are read by walking the primary key backwards and testing each row,
# which stops after the window: right for a common word. PostgreSQL chooses that walk from
# its estimate of the matches, and a lexeme missing from the column's statistics (its most
# common elements) is estimated at 0.5% of the rows whatever its real frequency: a word that
# matches nothing walked all 1M quotes (540 ms) for `q=Putn`. Such a word is rare (rarer than
# every lexeme the statistics keep), so its matches are read from the GIN index and sorted
# instead: `ORDER BY id + 0`, which no index provides.

_COMMON = {}  # table → (when read, the lexemes of its search column's most common elements)
_COMMON_SECONDS = 300  # statistics change with ANALYZE only
_LEXEME = re.compile(r"'((?:[^']|'')*)'")


def _common_lexemes(model):
    """The lexemes PostgreSQL's statistics hold for the model's search column (empty before
    the first ANALYZE), read once every few minutes."""
    table = model._meta.table_name
    known = _COMMON.get(table)
    if known is None or time.monotonic() - known[0] > _COMMON_SECONDS:
        row = database.execute_sql(
            "SELECT most_common_elems::text::text[] FROM pg_stats "
            "WHERE schemaname = current_schema() AND tablename = %s AND attname = 'search'",
            (table,)).fetchone()
        known = (time.monotonic(), frozenset(row[0] or ()) if row else frozenset())
        _COMMON[table] = known
    return known[1]


def _rare_node(node, lang, normalised, common):
    """Whether every row matching `node` holds a lexeme the statistics do not keep."""
    if isinstance(node, Prefix | Not):
        return False  # a prefix may match common lexemes; a NOT narrows nothing
    if isinstance(node, Word | Phrase):
        forms = [normalised[leaf] for leaf in _leaves(node, lang) if normalised[leaf]]
        if not forms:
            return False
        lexemes = [set(_LEXEME.findall(form)) for form in forms]
        if isinstance(node, Word):  # any of its forms: each must be rare
            return all(found and not found & common for found in lexemes)
        return any(lexeme not in common for found in lexemes for lexeme in found)
    if isinstance(node, And):
        return any(_rare_node(n, lang, normalised, common) for n in node.nodes)
    return all(_rare_node(n, lang, normalised, common) for n in node.nodes)  # Or


def _newest_first(model, q, lang, key):
    """The ORDER BY of the newest matches: the key backwards, or for a rare query on
    PostgreSQL the matches sorted (read from the GIN index)."""
    if is_sqlite():
        return key.desc()
    node = query_syntax.parse(q)
    common = _common_lexemes(model)
    if _rare_node(node, lang, _normalise(_leaves(node, lang)), common):
        return (key + 0).desc()
    return key.desc()


def parse(q):
    """Check a query's syntax (QuerySyntaxError, a 400, when it cannot be read)."""
    return query_syntax.parse(q)


def _search_column(model):
    """The generated tsvector column (not a model field: SQLite has none). Unqualified, so
    it is only used in single-table statements."""
    return SQL("search")


def _document(model):
    columns = [getattr(model, c) for c in INDEXED[model._meta.table_name]]
    if len(columns) == 1:
        return columns[0]
    return fn.CONCAT_WS(" ", *[fn.COALESCE(c, "") for c in columns])


def _matches(model, q, lang, since=None, before=None, scored=True):
    """(id, score) or (id,) of the rows matching `q`, with ids in [since, before) when given.
    The id bounds reach the index itself: FTS5 reads the doclists from `since` on, PostgreSQL
    intersects the GIN and primary-key indexes (or walks the key), so only those rows are
    scored."""
    if is_sqlite():
        index = _fts_table(model)
        name = SQL(index._path[0])
        key = index.rowid
        columns = [key.alias("id"), *([fn.bm25(name).alias("score")] if scored else [])]
        found = index.select(*columns).where(Expression(name, "MATCH", _fts_query(model, q, lang)))
    else:
        column = _search_column(model)
        table = Table(model._meta.table_name, ("id",))  # a plain table, as for SQLite's index
        key = table.id
        score = fn.ts_rank(column, _tsquery(q, lang)) * -1  # (unary minus: DESC in peewee)
        columns = [key.alias("id"), *([score.alias("score")] if scored else [])]
        found = table.select(*columns).where(Expression(column, "@@", _tsquery(q, lang)))
    if since is not None:
        found = found.where(key >= since)
    if before is not None:
        found = found.where(key < before)
    return found, key


def hits(model, q, lang=None, since=None):
    """A subquery of (id, score) for the rows of `model` matching `q` (stems in `lang`, else
    in every language), from id `since` on when given; lower score = better."""
    return _matches(model, q, lang, since)[0]


def window(model, q, lang=None):
    """A subquery of (id, score) for the newest RANK_WINDOW rows of `model` matching `q`:
    relevance ranks those only, so a search scores a bounded number of rows however many
    match (docs/search.md). A top-k read from the index in id order, newest first, scoring
    only the rows it returns: FTS5's doclists are in rowid order, and PostgreSQL walks the
    primary key backwards (or, for a rare word, reads the GIN matches), in one statement
    with the ranking. Columns: id, score, size (of the window), start (its oldest id)."""
    found, key = _matches(model, q, lang)
    newest = found.order_by(_newest_first(model, q, lang, key)).limit(RANK_WINDOW).alias("newest")
    # Each row also says how many rows the window holds and where it starts (computed over
    # the window only, after its LIMIT): whether older matches follow, without a statement.
    return Select([newest], [newest.c.id, newest.c.score,
                             fn.COUNT(SQL("*")).over().alias("size"),
                             fn.MIN(newest.c.id).over().alias("start")])


def window_start(model, q, lang=None):
    """The id from which the newest RANK_WINDOW matches of `q` start, or None when fewer
    match (then nothing is older than the window)."""
    found, key = _matches(model, q, lang, scored=False)
    newest = found.order_by(_newest_first(model, q, lang, key))
    row = database.execute(newest.offset(RANK_WINDOW - 1).limit(1)).fetchone()
    return row[0] if row else None


def matching_ids(model, q, lang=None, before=None, newest=None):
    """A subquery of the ids of the rows of `model` matching `q` (for IN filters), below id
    `before` when given; only the newest `newest` of them when given (read from the index
    in id order, newest first)."""
    found, key = _matches(model, q, lang, before=before, scored=False)
    if newest is None:
        return found
    return found.order_by(_newest_first(model, q, lang, key)).limit(newest)


def snippets(model, q, ids, lang=None):
    """{id: snippet} for these rows: an HTML fragment, text escaped, matches in <mark>."""
    if not ids:
        return {}
    # The engines mark matches with these; they are replaced by <mark> after escaping. Fresh
    # random marks for each call, so stored text cannot contain them (fixed private-use
    # characters in a stored text came out as <mark>).
    nonce = secrets.token_hex(8)
    mark_start, mark_end = f"\ue000{nonce}\ue001", f"\ue001{nonce}\ue000"
    if is_sqlite():
        index = _fts_table(model)
        name = SQL(index._path[0])
        text_column = INDEXED[model._meta.table_name].index("text")  # not the stems
        # The matches in the page's id range, read in one pass, then the page's ids among
        # them: FTS5 took `rowid IN (…)` as one lookup of the whole query per id, 0.2 ms each
        # at 1M quotes (`rowid + 0` is not a constraint FTS5 is offered).
        query = (index.select(index.rowid, fn.snippet(name, text_column, mark_start, mark_end,
                                                      "…", SNIPPET_WORDS))
                 .where(Expression(name, "MATCH", _fts_query(model, q, lang)),
                        index.rowid.between(min(ids), max(ids)), (index.rowid + 0).in_(ids)))
    else:
        options = (f"StartSel={mark_start}, StopSel={mark_end}, MaxWords={SNIPPET_WORDS * 2}, "
                   f"MinWords={SNIPPET_WORDS // 2}, MaxFragments=2, FragmentDelimiter=\" … \"")
        headline = fn.ts_headline(SQL(f"'{CONFIG}'"), _document(model), _tsquery(q, lang), options)
        query = model.select(model.id, headline).where(model.id.in_(ids))
    return {row_id: _as_html(raw, mark_start, mark_end)
            for row_id, raw in database.execute(query).fetchall()}


def _as_html(raw, mark_start, mark_end):
    escaped = html.escape(raw or "", quote=False)
    return escaped.replace(mark_start, "<mark>").replace(mark_end, "</mark>")
