"""Filters of /claims on reviews, sources and speakers' countries, and facet counts."""

import datetime

import pytest

from service import queries
from service.models import Claim
from service.models import Quote
from service.models import Review
from service.models import Source
from service.models import Speaker
from service.models import Stance
from service.publishers import with_canonical_publisher

WORD = "zorblax"  # in every text below, and nowhere else: searches stay within this world


@pytest.fixture
def world(db):
    """Four claims: c1 asserted by a French speaker with a quote from s1 (reviewed false by
    PolitiFact, mixed by AFP), c2 asserted by an American speaker citing s1 (true, by
    'politifact.com'), c3 denied by the American (an unmapped label, on AFP's site), c4
    unreviewed."""
    fr = Speaker.create(slug="zorblax-fr", name="Zorblax Fr", key="zorblax fr", kind="person",
                        country="FR")
    us = Speaker.create(slug="zorblax-us", name="Zorblax Us", key="zorblax us", kind="person",
                        country="US")
    s1 = Source.create(slug="zorblax-source", kind="article", title="Zorblax")
    s2 = Source.create(slug="zorblax-other", kind="article", title="Other zorblax")
    q1 = Quote.create(text=f"The {WORD} is broken.", speaker=fr, source=s1, kind="direct")
    Quote.create(text=f"Another {WORD} quote.", speaker=us, source=s2, kind="direct")
    c = {n: Claim.create(text=f"Claim {n} about {WORD}.", lang="en") for n in (1, 2, 3, 4)}
    Stance.create(claim=c[1], speaker=fr, position="asserts", quote=q1)
    Stance.create(claim=c[2], speaker=us, position="asserts", source=s1)
    Stance.create(claim=c[3], speaker=us, position="denies", source=s2)
    day = datetime.date
    for values in (
            {"claim": c[1], "publisher": "PolitiFact", "rating_label": "False",
             "rating": "false", "published_on": day(2024, 1, 10)},
            {"claim": c[1], "publisher": "AFP", "rating_label": "Trompeur", "rating": "mixed",
             "published_on": day(2024, 3, 1)},
            {"claim": c[2], "publisher": "politifact.com", "rating_label": "True",
             "rating": "true", "published_on": day(2023, 5, 1)},
            {"claim": c[3], "publisher": "Zorblax Checks", "rating_label": "Pas clair",
             "url": "https://factcheck.afp.com/zorblax", "rating": None}):
        Review.create(**with_canonical_publisher(values))
    return {"claims": {v.id: k for k, v in c.items()}, "s1": s1.id, "s2": s2.id}


def claims(world, **filters):
    page = queries.claims_page(100, q=WORD, **filters)
    return sorted(world["claims"][c.id] for c in page.items)


@pytest.mark.parametrize(("filters", "expected"), [
    ({}, [1, 2, 3, 4]),
    ({"rating": ["false"]}, [1]),
    ({"rating": ["false", "true"]}, [1, 2]),
    ({"rating": ["mostly-true"]}, []),
    ({"publisher": ["politifact"]}, [1, 2]),
    ({"publisher": ["PolitiFact.com"]}, [1, 2]),
    ({"publisher": ["afp-fact-check", "nobody"]}, [1, 3]),
    ({"publisher": ["factcheck.afp.com"]}, [1, 3]),
    ({"publisher": ["nobody"]}, []),
    ({"reviewed": True}, [1, 2, 3]),
    ({"reviewed": False}, [4]),
    ({"country": ["FR"]}, [1]),
    ({"country": ["US"]}, [2, 3]),
    ({"country": ["FR", "US"]}, [1, 2, 3]),
    ({"reviewed_since": datetime.date(2024, 1, 1)}, [1]),
    ({"reviewed_until": datetime.date(2023, 12, 31)}, [2]),
    ({"rating": ["mixed"], "country": ["US"]}, []),
    ({"publisher": ["AFP"], "reviewed_since": datetime.date(2024, 2, 1)}, [1]),
])
def test_claim_filters(world, filters, expected):
    assert claims(world, **filters) == expected


def test_the_source_filter_follows_stances_and_their_quotes(world):
    assert claims(world, source=world["s1"]) == [1, 2]  # c1 through its quote, c2 directly
    assert claims(world, source=world["s2"]) == [3]


def test_filters_also_apply_without_a_search(world):
    page = queries.claims_page(100, country=["FR"], rating=["false"])
    assert [world["claims"].get(c.id) for c in page.items] == [1]


def test_facets_count_the_matching_claims_per_rating_and_publisher(world):
    page = queries.claims_page(1, q=WORD, facets=["rating", "publisher"])
    assert page.meta["facets"] == {
        "rating": {"false": 1, "mixed": 1, "true": 1, "unrated": 1},
        "publisher": {"afp-fact-check": 2, "politifact": 2},
    }
    assert len(page.items) == 1  # counts are over every match, not the page


def test_facets_follow_the_filters(world):
    page = queries.claims_page(100, q=WORD, rating=["false"], facets=["rating"])
    assert page.meta["facets"] == {"rating": {"false": 1, "mixed": 1}}  # c1's two reviews
    page = queries.claims_page(100, q=WORD, speaker=["zorblax-us"], facets=["publisher"])
    assert page.meta["facets"] == {"publisher": {"afp-fact-check": 1, "politifact": 1}}
    page = queries.claims_page(100, speaker=["nobody-at-all-zz"], facets=["rating"])
    assert page.meta["facets"] == {"rating": {}}


def test_quote_facets_count_quotes_by_the_reviews_of_their_claims(world):
    page = queries.quotes_page(100, q=WORD, facets=["rating", "publisher"])
    assert len(page.items) == 2
    assert page.meta["facets"] == {"rating": {"false": 1, "mixed": 1},
                                   "publisher": {"afp-fact-check": 1, "politifact": 1}}


def test_facets_over_every_claim_match_the_reviews(db):
    facets = queries.claims_page(1, facets=["rating"]).meta["facets"]["rating"]
    for rating, count in facets.items():
        stored = None if rating == "unrated" else rating
        reviewed = Review.select(Review.claim).distinct().where(
            Review.rating.is_null() if stored is None else Review.rating == stored)
        assert count == reviewed.count(), rating


def test_facets_and_filters_over_http(get_json, client):
    body = get_json("/claims", query_string={"facets": "rating,publisher", "limit": 1})
    assert set(body["meta"]["facets"]) == {"rating", "publisher"}
    assert body["meta"]["facets"]["rating"].get("mostly-false", 0) >= 1  # the fixture world
    body = get_json("/quotes", query_string={"facets": "rating", "limit": 1})
    assert set(body["meta"]["facets"]) == {"rating"}
    found = get_json("/claims", query_string=[("rating", "mostly-false"), ("country", "xx"),
                                              ("reviewed", "true"), ("source", "1")])
    assert found["data"] == []
    for bad in ({"facets": "colour"}, {"facets": ""}, {"rating": "fake"}, {"country": "FRA"},
                {"reviewed_since": "2024-02-01", "reviewed_until": "2024-01-01"},
                {"source": "0"}):
        response = client.get("/claims", query_string=bad)
        assert response.status_code == 400, bad
        assert response.mimetype == "application/problem+json"


def _counted(names, claim_ids=None):
    return queries.review_facets(names, claim_ids)


def assert_stored_counts_match_the_reviews():
    """The counts kept by the database (migration 0014) equal the counts read from the
    reviews: over every claim, and among the claims of each rating and each publisher."""
    names = list(queries.FACETS)
    assert queries.stored_facets(names) == _counted(names)
    for (rating,) in Review.select(Review.rating).distinct().where(
            Review.rating.is_null(False)).tuples():
        among = Review.select(Review.claim).where(Review.rating == rating)
        assert queries.stored_facets(names, ("rating", rating)) == _counted(names, among)
    for (publisher,) in Review.select(Review.canonical).distinct().where(
            Review.canonical.is_null(False)).tuples():
        among = Review.select(Review.claim).where(Review.canonical == publisher)
        assert queries.stored_facets(names, ("publisher", publisher)) == _counted(names, among)


def test_stored_counts_follow_every_kind_of_review_write(db, world):
    assert_stored_counts_match_the_reviews()  # the seeds, the fixture world and `world`
    c1, c2, c3, c4 = sorted(world["claims"])
    first = Review.select().where(Review.claim == c1).order_by(Review.id).first()
    steps = [
        # a second review with the same values changes no count
        lambda: Review.create(claim=c1, publisher="PolitiFact", canonical=first.canonical,
                              rating="false"),
        lambda: Review.update(rating="true").where(Review.id == first.id).execute(),
        lambda: Review.update(claim=c4).where(Review.id == first.id).execute(),
        lambda: Review.update(canonical=None).where(Review.claim == c4).execute(),
        # several rows in one statement (PostgreSQL fires the triggers at its end)
        lambda: Review.insert_many([
            {"claim": c3, "publisher": "x", "rating": "mostly-true"},
            {"claim": c3, "publisher": "y", "rating": "mostly-false"},
            {"claim": c4, "publisher": "z", "rating": "mostly-true"}]).execute(),
        lambda: Review.delete().where(Review.claim.in_([c3, c4])).execute(),
        lambda: Claim.delete().where(Claim.id == c1).execute(),  # its reviews cascade
    ]
    for step in steps:
        step()
        assert_stored_counts_match_the_reviews()


@pytest.mark.parametrize("filters", [
    {}, {"rating": ["false"]}, {"rating": ["mixed", "mixed"]}, {"publisher": ["politifact"]},
    {"publisher": ["politifact", "politifact.com"]},
])
def test_claims_filtered_on_one_value_read_the_stored_counts(db, world, filters):
    names = list(queries.FACETS)
    page = queries.claims_page(1, facets=names, **filters)
    conditions = queries._review_conditions_of_claims(**filters)
    counted = _counted(names, Claim.select(Claim.id).where(*conditions) if conditions
                       else None)
    assert page.meta["facets"] == counted
    assert queries._stored_facets_among(filters.get("rating"), filters.get("publisher"),
                                        []) is not None


REVIEW_FILTERS = [
    {"rating": ["false"]}, {"rating": ["false", "true", "mixed"]}, {"rating": ["mostly-true"]},
    {"publisher": ["politifact"]}, {"publisher": ["afp-fact-check", "nobody"]},
    {"publisher": ["nobody"]}, {"reviewed_since": datetime.date(2024, 1, 1)},
    {"reviewed_since": datetime.date(2015, 1, 1), "reviewed_until": datetime.date(2024, 12, 31)},
    {"publisher": ["AFP"], "reviewed_since": datetime.date(2024, 2, 1)},
    {"rating": ["false", "true"], "lang": "en"}, {"rating": ["mixed"], "country": ["US"]},
    {"rating": ["false"], "status": ["asserted"]}, {"rating": ["true"], "reviewed": False},
    {"publisher": ["politifact"], "source": 1},
]
SAMPLED = ["rating", "publisher", "status", "lang", "year"]


def _selected(filters):
    """The ids the filters select, through the IN form of the review conditions."""
    conditions = queries._review_conditions_of_claims(
        filters.get("rating"), filters.get("publisher"), filters.get("reviewed"),
        filters.get("reviewed_since"), filters.get("reviewed_until"))
    if filters.get("lang"):
        conditions.append(Claim.lang == filters["lang"])
    if filters.get("status"):
        conditions.append(Claim.status.in_(filters["status"]))
    if filters.get("country"):
        conditions.append(queries._claim_country_condition(filters["country"]))
    if filters.get("source"):
        conditions.append(queries._claim_source_condition(filters["source"]))
    return Claim.select(Claim.id).where(*conditions)


@pytest.mark.parametrize("filters", REVIEW_FILTERS)
def test_review_filters_walk_the_review_index_and_select_what_the_in_form_selects(
        world, filters):
    """Without q= or speaker=, a review filter's pages are read from the review index in
    claim order: page after page, they list the claims the IN form selects, in id order, and
    the search page's sampled facets count the same newest claims."""
    expected = [c for (c,) in _selected(filters).order_by(Claim.id).tuples()]
    if filters in REVIEW_FILTERS[:2]:
        assert len({world["claims"].get(c) for c in expected} - {None}) >= 1
    walked, cursor = [], None
    for _ in range(len(expected) + 1):
        page = queries.claims_page(1, cursor=cursor, **filters)
        walked += [c.id for c in page.items]
        if page.next_after is None:
            break
        cursor = {"after": page.next_after}
    assert walked == expected
    page = queries.claims_page(1, facets=SAMPLED, facet_sample=2, **filters)
    assert (page.meta["facets"], page.meta["facet_sampled"]) == queries.sampled_facets(
        SAMPLED, _selected(filters), 2)
