"""GET /v1alpha1/claims:search behaves like Google's Fact Check Tools API: driven here by
Google's own client library against a live Claimbase server."""

import json

import pytest
from googleapiclient.discovery import build
from googleapiclient.errors import HttpError
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from service import create_app
from service.db import bind
from service.db import migrate
from service.factcheck import parse_field_mask
from service.importer import import_text
from tests.conftest import FIXTURES
from tests.live import live_server

PAGED = 23  # reviewed claims about "harbour", to page through


def harbour_reviews():
    return [{
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": f"https://{'checks.example.org' if i % 2 else 'www.verite.example.fr'}/h/{i}",
        "datePublished": f"2024-03-{i % 28 + 1:02d}", "inLanguage": "en" if i % 2 else "fr",
        "name": f"Harbour check {i}",
        "claimReviewed": f"The harbour of Testland handled {i} million containers",
        "author": {"@type": "Organization",
                   "name": "Checks Example" if i % 2 else "Vérité Exemple"},
        "reviewRating": {"@type": "Rating", "alternateName": "False"},
        "itemReviewed": {"@type": "Claim", "datePublished": "2024-02-01",
                         "author": {"@type": "Organization", "name": "Testland Ports"}},
    } for i in range(PAGED)]


@pytest.fixture
def server(new_database_url, tmp_path):
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        import_text((FIXTURES / "claimreview.jsonld").read_text(), "claimreview", "test")
        import_text(json.dumps(harbour_reviews()), "claimreview", "test")
    with live_server(new_database_url, tmp_path) as base:
        yield base + "/"


@pytest.fixture
def factchecktools(server):
    """Google's client, with the discovery document it ships, pointed at Claimbase. Closed
    after the test: the server keeps connections alive, and httplib2 keeps them open."""
    client = build("factchecktools", "v1alpha1", developerKey="any-key", static_discovery=True,
                   client_options={"api_endpoint": server})
    yield client
    client.close()


def test_search_answers_field_by_field(factchecktools):
    response = factchecktools.claims().search(query="Exampleville crime").execute()
    (claim,) = response["claims"]
    assert "nextPageToken" not in response
    assert claim == {
        "text": "Exampleville’s crime rate has doubled since 2021",
        "claimant": "Jane Roe",
        "claimDate": "2023-09-12T00:00:00Z",
        "claimReview": [{
            "publisher": {"name": "Example Fact Check", "site": "factcheck.example.org"},
            "url": "https://factcheck.example.org/2023/09/exampleville-crime",
            "title": "No, Exampleville's crime rate has not doubled",
            "reviewDate": "2023-09-14T00:00:00Z",
            "textualRating": "Mostly false",
            "languageCode": "en",
        }],
    }


def test_paging_to_the_end_with_next_page_token(factchecktools):
    seen, token, pages = [], None, 0
    while True:
        kwargs = {"query": "harbour", "pageSize": 5}
        if token:
            kwargs["pageToken"] = token
        response = factchecktools.claims().search(**kwargs).execute()
        seen += [c["text"] for c in response.get("claims", [])]
        pages += 1
        token = response.get("nextPageToken")
        if not token:
            break
    assert pages == 5 and len(seen) == PAGED == len(set(seen))


def test_default_page_size_and_offset(factchecktools):
    first = factchecktools.claims().search(query="harbour").execute()
    assert len(first["claims"]) == 10
    shifted = factchecktools.claims().search(query="harbour", offset=10).execute()
    assert not {c["text"] for c in first["claims"]} & {c["text"] for c in shifted["claims"]}


def test_language_filter(factchecktools):
    response = factchecktools.claims().search(query="harbour", languageCode="fr-FR",
                                              pageSize=50).execute()
    reviews = [r for c in response["claims"] for r in c["claimReview"]]
    assert len(response["claims"]) == 12 and {r["languageCode"] for r in reviews} == {"fr"}


def test_site_filter_alone_or_with_a_query(factchecktools):
    by_site = factchecktools.claims().search(reviewPublisherSiteFilter="verite.example.fr",
                                             pageSize=50).execute()
    assert len(by_site["claims"]) == 12
    assert {r["publisher"]["site"] for c in by_site["claims"] for r in c["claimReview"]} == {
        "verite.example.fr"}
    none = factchecktools.claims().search(query="Exampleville",
                                          reviewPublisherSiteFilter="verite.example.fr").execute()
    assert none == {}


def test_max_age_days(factchecktools):
    recent = factchecktools.claims().search(query="harbour OR Exampleville", maxAgeDays=1,
                                            pageSize=50).execute()
    assert recent == {}
    old = factchecktools.claims().search(query="Exampleville", maxAgeDays=36500).execute()
    assert len(old["claims"]) == 1


def test_errors_use_googles_envelope(factchecktools):
    with pytest.raises(HttpError) as error:
        factchecktools.claims().search().execute()
    assert error.value.status_code == 400
    body = json.loads(error.value.content)
    assert body["error"]["status"] == "INVALID_ARGUMENT" and body["error"]["code"] == 400
    with pytest.raises(HttpError) as error:
        factchecktools.claims().search(query="harbour", pageToken="forged").execute()
    assert error.value.status_code == 400


@pytest.mark.parametrize("query_string", [
    "query=harbour&pageSize=abc", "query=harbour&offset=-1", "query=harbour&colour=red",
    "query=harbour&alt=proto", "query=harbour&fields=claims((", "query=x%00y",
    "query=harbour&languageCode=not%20a%20tag", "query=harbour&maxAgeDays=99999999999",
])
def test_bad_parameters_are_400_in_googles_envelope(client, query_string):
    response = client.get(f"/v1alpha1/claims:search?{query_string}")
    assert response.status_code == 400
    assert set(response.get_json()["error"]) == {"code", "message", "status", "details"}


def test_system_parameters(client):
    response = client.get("/v1alpha1/claims:search?query=Kim&key=k&alt=json&prettyPrint=false"
                          "&quotaUser=me&$.xgafv=2")
    assert response.status_code == 200
    assert "\n" not in response.get_data(as_text=True)


def test_a_page_token_is_bound_to_its_query(factchecktools):
    token = factchecktools.claims().search(query="harbour", pageSize=5).execute()[
        "nextPageToken"]
    with pytest.raises(HttpError) as error:
        factchecktools.claims().search(query="Exampleville", pageToken=token).execute()
    assert error.value.status_code == 400
    assert "unchanged" in json.loads(error.value.content)["error"]["message"]


def test_partial_responses_with_fields():
    assert parse_field_mask("claims(text,claimReview/url),nextPageToken") == {
        "claims": {"text": None, "claimReview": {"url": None}}, "nextPageToken": None}


def test_fields_mask_applies(factchecktools):
    response = factchecktools.claims().search(query="Exampleville",
                                              fields="claims(text,claimReview/url)").execute()
    assert response == {"claims": [{
        "text": "Exampleville’s crime rate has doubled since 2021",
        "claimReview": [{"url": "https://factcheck.example.org/2023/09/exampleville-crime"}]}]}


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=st.text(min_size=1, max_size=80))
def test_fuzzed_queries_never_fail(client, query):
    response = client.get("/v1alpha1/claims:search", query_string={"query": query})
    assert response.status_code in (200, 400)
    assert response.mimetype == "application/json"
