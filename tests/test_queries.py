"""Named queries without HTTP: constant statements per page (no N+1), composable filters."""

import pytest
from playhouse.test_utils import count_queries

from service import queries


def statements(func, **kwargs):
    with count_queries(only_select=True) as counter:
        page = func(**kwargs)
    return counter.count, page


@pytest.mark.parametrize(
    ("func", "kwargs"),
    [
        (queries.claims_page, {}),
        (queries.claims_page, {"speaker": ["Poutine", "États-Unis"]}),
        (queries.claims_page, {"status": ["contested", "asserted"], "topic": ["arms-trade"]}),
        (queries.quotes_page, {}),
        (queries.quotes_page, {"speaker": ["Kim Jong Un"], "via": ["kcna"]}),
        (queries.speakers_page, {}),
        (queries.sources_page, {}),
        (queries.topics_page, {}),
    ],
)
def test_statements_per_page_do_not_grow_with_page_size(db, func, kwargs):
    small, small_page = statements(func, limit=1, **kwargs)
    large, large_page = statements(func, limit=100, **kwargs)
    assert len(large_page.items) > len(small_page.items) or len(large_page.items) == 1
    assert small == large


def test_claims_page_statement_budget(db):
    count, page = statements(queries.claims_page, limit=100)
    assert len(page.items) > 10
    assert count == 5  # claims, stances (+speaker, quote, relay, source), topics, reviews,
    # appearances


def test_serializing_a_page_runs_no_query(db, app):
    from schemas.claims import ClaimSchema

    page = queries.claims_page(limit=100)
    with count_queries() as counter:
        ClaimSchema(many=True).dump(page.items)
    assert counter.count == 0


def test_resolve_speakers_reports_matches_and_misses(db):
    ids, matched, unmatched = queries.resolve_speakers(["Путин", "Zzyzx Qwerty"])
    assert [m["speaker"].slug for m in matched] == ["vladimir-putin"]
    assert ids == [matched[0]["speaker"].id]
    assert unmatched == [{"query": "Zzyzx Qwerty", "suggestions": []}]


def test_suggestions_for_typos(db):
    assert [s.slug for s in queries.suggest_speakers("Poutin")][0] == "vladimir-putin"
    assert [s.slug for s in queries.suggest_speakers("Kim Jong")][0] == "kim-jong-un"


def test_the_totals_follow_every_insert_and_delete(db, monkeypatch):
    """The home page's numbers of speakers, claims and quotes are kept by the database
    (migration 0021), through single and bulk writes, and stay right when PostgreSQL's
    per-statement rows are folded into one per table."""
    from service import queries
    from service.models import Claim
    from service.models import Quote
    from service.models import Source
    from service.models import Speaker

    def counted():
        return {"speakers": Speaker.select().count(), "claims": Claim.select().count(),
                "quotes": Quote.select().count()}

    assert queries.totals() == counted()
    speaker = Speaker.create(slug="tallyx", name="Tallyx", key="tallyx", kind="person")
    source = Source.create(slug="tallyx-source", kind="article", title="Tallyx")
    Quote.insert_many([{"text": f"Tallyx {i}.", "speaker": speaker, "source": source,
                        "kind": "direct"} for i in range(5)]).execute()
    Claim.insert_many([{"text": f"Tallyx claim {i}.", "lang": "en"} for i in range(3)]).execute()
    Quote.delete().where(Quote.text.in_(["Tallyx 0.", "Tallyx 1."])).execute()
    before = counted()
    assert queries.totals() == before
    monkeypatch.setattr(queries, "ROW_COUNT_ROWS", 0)  # fold whatever there is
    assert queries.totals() == before
    assert queries.totals() == before
    rows = db.execute_sql("SELECT COUNT(*) FROM row_count").fetchone()[0]
    assert rows == 3
