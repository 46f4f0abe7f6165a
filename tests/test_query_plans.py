"""The hot queries use their indexes on both backends, and a page costs a constant number of
statements whatever its size. Not timed: the plans and the counts are what stays true as the
database grows (bench/README.md has the timings)."""

import json
import re
from contextlib import contextmanager
from urllib.parse import quote

import pytest

from schemas.common import encode_cursor
from service.models import Document

HOT = {
    "heavy speaker": "/claims?speaker=vladimir-putin",
    "alias in another script": f"/claims?speaker={quote('Путин')}",
    "speaker and position": "/claims?speaker=vladimir-putin&position=asserts",
    "status": "/claims?status=contested",
    "deep page": f"/claims?cursor={encode_cursor(3)}",
    "deep speaker page": f"/claims?speaker=vladimir-putin&cursor={encode_cursor(3)}",
    "full text": "/claims?q=Russia",
    "full text, one word": "/quotes?q=sacré",
    # facet counts read the stored counts (migration 0014), not the reviews
    "facets of every claim": f"/claims?facets=rating,publisher&cursor={encode_cursor(3)}",
    "facets of one rating": "/claims?rating=mostly-false&facets=rating,publisher",
    # review filters: a page walks the review index in claim order, reading its own rows
    "one rating": f"/claims?rating=false&cursor={encode_cursor(3)}",
    "publisher and language": "/claims?publisher=politifact&lang=en",
    "the search page's rating": "/ui/search?rating=false",
    "quotes of a speaker": "/quotes?speaker=kim-jong-un",
    # the speaker-resolution ladder (service/identity.py): every rung an index lookup
    "wikidata id": "/claims?speaker=Q7747",
    "surname alone (tokens)": "/claims?speaker=Obraztsov",
    "other word order": f"/claims?speaker={quote('putin vladimir')}",
    "romanisation (transliteration)": "/claims?speaker=Putine",
    "misspelling (trigram index)": f"/claims?speaker={quote('Vladimir Putn')}",
    "unknown name, with suggestions": f"/claims?speaker={quote('Zzyzx Qwerty')}",
    "suggestions ranked by quotes": "/claims?speaker=Putim",
    "speakers by part of a name": "/speakers?q=obrazts",
    "merged speaker's old slug": "/quotes?speaker=no-such-old-slug",
}
# Tables that grow with the data: reading one whole is what must never happen on a page.
BIG = {"claim", "stance", "quote", "speaker", "alias", "claim_topic", "review", "appearance",
       "source", "change", "speaker_name_key", "merged_slug", "claim_facet"}


@contextmanager
def statements(app):
    """The SQL (and parameters) a block of code runs on the app's database."""
    db = app.extensions["claimbase.db"]
    seen = []
    original = db.execute_sql

    def recording(sql, params=None, *args, **kwargs):
        seen.append((sql, params))
        return original(sql, params, *args, **kwargs)

    db.execute_sql = recording
    try:
        yield seen
    finally:
        del db.execute_sql


def selects(app, client, path):
    with statements(app) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.get_json()
    return [(sql, params) for sql, params in seen if sql.lstrip().upper().startswith("SELECT")]


def is_page_query(sql):
    """The statement choosing the page's rows (the others fetch details of those rows),
    unless it ranks full-text matches: no index holds relevance order, so the matches (only
    them: the full-text index finds them) are sorted by score. The speaker ladder's lookups
    (speaker_name_key) likewise group and order only the index entries of the value's
    tokens (a name's postings, found through the (step, key) index), never a page of rows."""
    if "speaker_name_key" in sql:
        return False
    return " LIMIT " in sql.upper() and '"score"' not in sql


def sqlite_problems(db, sql, params):
    """Full scans of tables, and sorts of a page query, in SQLite's plan."""
    plan = [row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
    # A scan of a subquery's own rows (a co-routine or a materialized subquery, e.g. a count
    # or a page of ids capped by LIMIT) or of the one constant row of a SELECT without FROM
    # reads no table.
    derived = {step.split()[-1] for step in plan
               if step.startswith(("CO-ROUTINE ", "MATERIALIZE "))}
    problems = [step for step in plan if re.match(r"SCAN (?!.*VIRTUAL TABLE)", step)
                and step != "SCAN CONSTANT ROW" and step.split()[-1] not in derived]
    if is_page_query(sql):
        problems += [step for step in plan if "TEMP B-TREE" in step]
    return problems, plan


def _nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _nodes(child)


def postgres_problems(db, sql, params):
    """Sequential scans of big tables (with seqscan discouraged, one left means no index
    can serve), and sorts of a page query, in PostgreSQL's plan."""
    with db.atomic() as transaction:
        db.execute_sql("SET LOCAL enable_seqscan = off")
        db.execute_sql("SET LOCAL enable_sort = off")
        (plan,), = db.execute_sql("EXPLAIN (FORMAT JSON) " + sql, params).fetchall()
        transaction.rollback()
    plan = plan if isinstance(plan, list) else json.loads(plan)
    nodes = list(_nodes(plan[0]["Plan"]))
    problems = [f"Seq Scan on {n['Relation Name']}" for n in nodes
                if n["Node Type"] == "Seq Scan" and n.get("Relation Name") in BIG]
    if is_page_query(sql):
        problems += [f"Sort {n.get('Sort Key')}" for n in nodes if n["Node Type"] == "Sort"]
    return problems, [n["Node Type"] + " " + n.get("Relation Name", "") for n in nodes]


@pytest.mark.parametrize("path", HOT.values(), ids=HOT.keys())
def test_hot_queries_use_indexes(app, client, backend, path):
    db = app.extensions["claimbase.db"]
    found = selects(app, client, path)
    assert found
    explain = sqlite_problems if backend == "sqlite" else postgres_problems
    with db.connection_context():
        for sql, params in found:
            problems, plan = explain(db, sql, params)
            assert not problems, f"{sql}\n{plan}"


@pytest.mark.parametrize("path", [
    "/claims?speaker=vladimir-putin&limit={}",
    "/claims?limit={}",
    "/claims?status=contested&status=asserted&limit={}",
    "/quotes?speaker=kim-jong-un&limit={}",
    "/claims?q=Russia&limit={}",
    "/claims?facets=rating,publisher&limit={}",
])
@pytest.mark.parametrize("stored", [True, False], ids=["documents stored", "documents to render"])
def test_a_page_costs_the_same_statements_whatever_its_size(app, client, path, stored):
    """Whether the page's documents (service/documents.py) are stored already or rendered
    and stored by this read."""
    counts = {}
    for limit in (1, 3, 100):
        client.get(path.format(100))
        if not stored:
            Document.update(body=None).execute()
        with statements(app) as seen:
            response = client.get(path.format(limit))
        assert response.status_code == 200
        counts[limit] = (len(seen), len(response.get_json()["data"]))
    assert len({n for n, _ in counts.values()}) == 1, counts
    assert counts[100][1] > counts[1][1], "the pages must differ in size to prove anything"
    assert counts[1][0] <= (9 if stored else 14)


def test_similar_names_are_found_through_the_trigram_index(app, client, backend):
    """A misspelt name is scored against the forms the trigram index hands over (FTS5's
    trigram table on SQLite, pg_trgm's GiST index on PostgreSQL), not against every name."""
    db = app.extensions["claimbase.db"]
    with statements(app) as seen:
        assert client.get(f"/claims?speaker={quote('Vladimir Putn')}").status_code == 200
    (sql, params), = [(s, p) for s, p in seen if s.startswith("SELECT")
                      and ("<->" in s or "MATCH" in s)]
    with db.connection_context():
        if backend == "sqlite":
            plan = [row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params)]
            assert "FROM speaker_name_key_trigram AS t" in sql
            assert plan[0].startswith("SCAN t VIRTUAL TABLE INDEX"), plan  # its MATCH index
        else:
            with db.atomic() as transaction:
                # A few dozen forms: reading and sorting them all is cheaper here; with
                # thousands the planner walks the GiST index by itself (bench/README.md).
                db.execute_sql("SET LOCAL enable_seqscan = off")
                db.execute_sql("SET LOCAL enable_sort = off")
                (plan,), = db.execute_sql("EXPLAIN (FORMAT JSON) " + sql, params).fetchall()
                transaction.rollback()
            plan = plan if isinstance(plan, list) else json.loads(plan)
            indexes = {n.get("Index Name") for n in _nodes(plan[0]["Plan"])}
            assert "speaker_name_key_trigram" in indexes, plan
