"""Full-text search with q= on /quotes, /claims and /sources, on both engines."""

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from service.search import _as_html


def texts(body):
    return [item["text"] for item in body["data"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("inconditionnel", "soutien total et inconditionnel"),
        ("Etat membre ONU", "Aucun Etat membre de l’ONU ne devrait violer"),
        ('"combat sacré"', "combat sacré"),
        ("COMBAT SACRE", "combat sacré"),
        ("etats-unis", "Les États-Unis ont accusé la Corée du Nord"),
    ],
)
def test_quote_search_finds_the_seeded_words(get_json, q, expected):
    found = texts(get_json("/quotes", query_string={"q": q, "limit": 100}))
    assert any(text.startswith(expected) for text in found), found


def test_phrases_keep_word_order(get_json):
    assert get_json("/quotes", query_string={"q": '"sacré combat"'})["data"] == []


def test_all_words_must_match_unless_or(get_json):
    both = texts(get_json("/quotes", query_string={"q": "Poutine Kim", "limit": 100}))
    either = texts(get_json("/quotes", query_string={"q": "Poutine OR Kim", "limit": 100}))
    assert both and set(both) < set(either)
    assert all("Poutine" in t and "Kim" in t for t in both)


def test_cyrillic_is_case_insensitive(get_json):
    for q in ("ОДОБРИЛ", "парламент", "Кранов"):
        found = texts(get_json("/quotes", query_string={"q": q}))
        assert found == ["Одобрил ли парламент продажу кранов?"], q


def test_search_combines_with_other_filters(get_json):
    body = get_json("/quotes", query_string={"q": "Corée", "speaker": "united-states"})
    assert [q["speaker"]["slug"] for q in body["data"]] == ["united-states"]
    assert body["meta"]["speakers"][0]["speaker"]["slug"] == "united-states"


def test_results_carry_escaped_highlighted_snippets(get_json):
    (quote,) = get_json("/quotes", query_string={"q": "inconditionnel"})["data"]
    assert quote["snippet"] == "soutien total et <mark>inconditionnel</mark>"
    assert "snippet" not in get_json("/quotes?limit=1")["data"][0]


def test_snippet_html_is_escaped():
    assert _as_html("<script>[x]</script> & co", "[", "]") == \
        "&lt;script&gt;<mark>x</mark>&lt;/script&gt; &amp; co"


@pytest.mark.parametrize("forgery", ["\ue000forged\ue001", "<mark>forged</mark>",
                                     "\ue001forged\ue000"])
def test_stored_text_cannot_forge_a_highlight(editor, forgery):
    text = f"Harbour {forgery} ferry tickets"
    # The forgeries differ only in characters that near-duplicate detection ignores.
    response = editor.post("/claims?allow_duplicate=true", {"text": text, "lang": "en"})
    assert response.status_code == 201
    found = editor.get("/claims?q=tickets&limit=100").get_json()["data"]
    (snippet,) = [c["snippet"] for c in found if c["text"] == text]
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1
    assert "<mark>tickets</mark>" in snippet


def test_claims_and_sources_are_searchable(get_json):
    claims = get_json("/claims", query_string={"q": "artillery shells", "limit": 100})["data"]
    assert claims and all("artillery" in c["snippet"] for c in claims)
    assert claims[0]["stances"]["asserts"]  # full claims, details attached
    sources = get_json("/sources", query_string={"q": "Vostochny"})["data"]
    assert [s["slug"] for s in sources] == ["kim-putin-summit-2023-09-13"]
    assert "<mark>Vostochny</mark>" in sources[0]["snippet"]


def test_ranked_results_page_without_gaps_or_repeats(client):
    everything = client.get("/quotes?q=Kim OR Poutine OR Corée&limit=100").get_json()["data"]
    assert len(everything) > 5
    rows, url = [], "/quotes?q=Kim OR Poutine OR Corée&limit=2"
    while url:
        body = client.get(url).get_json()
        rows += body["data"]
        url = body["links"]["next"]
    assert [r["id"] for r in rows] == [r["id"] for r in everything]


@pytest.mark.parametrize("q", ["NOT x", "a:b", "{text}:x", "x" * 500, "NEAR(a b)", "a AND b",
                               "x'", "abc* -bcd*", "l’", "(a OR b) -(c d)"])
def test_hostile_queries_that_read_as_words_are_searches(client, q):
    response = client.get("/quotes", query_string={"q": q})
    assert response.status_code == 200, response.get_json()


@pytest.mark.parametrize(("q", "says"), [
    ('"', "a quotation mark is not closed"),
    ('a "b c', "a quotation mark is not closed"),
    ("AND", "it has no word to search for"),
    ("*", "'*' ends one word"),
    ("NEAR(", "a parenthesis is not closed"),
    ("((", "a parenthesis is not closed"),
    ("a)", "a closing parenthesis has no opening one"),
    ("()", "parentheses enclose nothing"),
    ("OR", "OR needs a word on each side"),
    ("a OR", "OR needs a word on each side"),
    ("-", "'-' must stand just before the word it excludes"),
    ("a -", "'-' must stand just before the word it excludes"),
    ("-a", "it only excludes words"),
    ("a OR -b", "each side of OR needs a word that must match"),
    ("--a b", "a word is excluded twice"),
    ("\\", "it has no word to search for"),
    ("'", "it has no word to search for"),
    (":*", "'*' ends one word"),
    ("!", "it has no word to search for"),
    ("\u200f", "it has no word to search for"),
    ("🚢", "it has no word to search for"),
    ("(" * 10 + "a" + ")" * 10, "parentheses nest deeper than 8"),
    (" ".join(["w"] * 17), "Too many search terms (more than 16)"),
    ("a* -b*", "Prefix term 'a*' is too short"),
])
def test_malformed_queries_are_400_saying_why(client, q, says):
    response = client.get("/quotes", query_string={"q": q})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert says in response.get_json()["detail"], response.get_json()


def test_too_long_or_nul_queries_are_400(client):
    assert client.get("/quotes", query_string={"q": "x" * 501}).status_code == 400
    assert client.get("/claims", query_string={"q": "a\x00b"}).status_code == 400


def test_a_cursor_from_an_unranked_list_is_refused_in_a_search(client):
    cursor = client.get("/quotes?limit=1").get_json()["meta"]["next_cursor"]
    assert client.get(f"/quotes?q=Kim&cursor={cursor}").status_code == 400


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=st.text(min_size=1, max_size=60))
def test_fuzzed_queries_never_fail(client, q):
    for path in ("/quotes", "/claims", "/sources"):
        assert client.get(path, query_string={"q": q}).status_code in (200, 400)


def test_the_index_follows_every_write(editor):
    source = editor.post("/sources", {"slug": "search-sync", "kind": "article",
                                      "text": "Le zeppelin survole Testland."}).get_json()
    quote = editor.post("/quotes", {"text": "Le zeppelin survole Testland.", "kind": "direct",
                                    "speaker": "testland", "source": source["id"]}).get_json()
    assert [q["id"] for q in editor.get("/quotes?q=zeppelin").get_json()["data"]] == [quote["id"]]
    path = f"/sources/{source['id']}"
    editor.patch(path, {"text": "Le dirigeable survole Testland. Le zeppelin survole Testland."},
                 editor.etag(path))
    assert editor.get("/sources?q=dirigeable").get_json()["data"][0]["id"] == source["id"]
    editor.delete(f"/quotes/{quote['id']}", editor.etag(f"/quotes/{quote['id']}"))
    assert editor.get("/quotes?q=zeppelin").get_json()["data"] == []


@pytest.mark.parametrize(("q", "expected"), [
    ("container", {"The Testland harbour handled ten million containers in 2022."}),
    ("handling contain*", {"The Testland harbour handled ten million containers in 2022."}),
    ("containers -harbour", set()),
])
def test_claims_search_the_api_and_the_pages_use_the_same_search(client, q, expected):
    google = client.get("/v1alpha1/claims:search", query_string={"query": q}).get_json()
    assert {c["text"] for c in google.get("claims", [])} == expected
    api = texts(client.get("/claims", query_string={"q": q, "limit": 100}).get_json())
    assert expected <= set(api)
    page = client.get("/ui/search", query_string={"q": q}).get_data(as_text=True)
    assert all(text in page for text in expected | set(api))


def test_a_malformed_query_is_a_400_in_each_one(client):
    google = client.get("/v1alpha1/claims:search", query_string={"query": "(harbour"})
    assert google.status_code == 400
    assert "a parenthesis is not closed" in google.get_json()["error"]["message"]
    assert client.get("/claims", query_string={"q": "(harbour"}).status_code == 400
    page = client.get("/ui/search", query_string={"q": "(harbour"})
    assert page.status_code == 400 and "a parenthesis is not closed" in page.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/claims.csv", "/quotes.ndjson", "/sources.csv"])
def test_a_malformed_query_is_a_400_before_an_export_streams(client, path):
    response = client.get(path, query_string={"q": "-"})
    assert response.status_code == 400 and response.mimetype == "application/problem+json"
    assert "'-' must stand just before" in response.get_json()["detail"]


@pytest.fixture
def small_window(monkeypatch):
    """Relevance ranks the newest 3 matches only (RANK_WINDOW is 1,000: too many to build
    here)."""
    from service import search

    monkeypatch.setattr(search, "RANK_WINDOW", 3)


def test_relevance_ranks_the_newest_matches_then_older_ones_follow(db, small_window):
    from service import queries
    from service.models import Claim

    texts = ["qwzzt one", "qwzzt two", "qwzzt three", "qwzzt four",
             "qwzzt qwzzt qwzzt best", "qwzzt six",
             "qwzzt seven"]
    ids = [Claim.create(text=text, lang="en").id for text in texts]
    seen, cursor = [], None
    while True:
        page = queries.claims_page(2, q="qwzzt", cursor=cursor)
        seen += [claim.id for claim in page.items]
        if page.next_after is None:
            break
        cursor = {"after": page.next_after}
    window, older = seen[:3], seen[3:]
    assert sorted(window) == ids[4:]  # the three newest matches, by relevance
    assert window[0] == ids[4]  # the word three times
    assert older == ids[3::-1]  # then the older matches, newest first
    assert all(claim.snippet for claim in queries.claims_page(7, q="qwzzt").items)


def test_fewer_matches_than_the_window_are_all_ranked(db, small_window):
    from service import queries
    from service.models import Claim

    ids = [Claim.create(text=text, lang="en").id for text in ("vrrmp x y z", "vrrmp vrrmp")]
    assert [c.id for c in queries.claims_page(5, q="vrrmp").items] == ids[::-1]


def test_the_window_pages_through_every_match_once_whatever_the_page_size(db, small_window):
    from service import queries
    from service.models import Claim

    ids = {Claim.create(text=f"zblorp n{i}", lang="en").id for i in range(8)}
    for size in (1, 2, 3, 5):
        seen, cursor = [], None
        while True:
            page = queries.claims_page(size, q="zblorp", cursor=cursor)
            seen += [claim.id for claim in page.items]
            if page.next_after is None:
                break
            cursor = {"after": page.next_after}
        assert sorted(seen) == sorted(ids), size


def test_the_facets_of_words_alone_count_the_newest_matches(db):
    from service import queries
    from service.models import Claim

    statuses = ["denied", "denied", "contested", "questioned", "questioned"]
    for status in statuses:
        Claim.create(text="plorvex claim", lang="en", status=status)
    Claim.create(text="another claim", lang="en", status="denied")
    page = queries.claims_page(10, q="plorvex", facets=["status"], facet_sample=3)
    assert page.meta["facets"]["status"] == {"contested": 1, "questioned": 2}
    assert page.meta["facet_sampled"] is True
    page = queries.claims_page(10, q="plorvex", facets=["status"], facet_sample=10)
    assert page.meta["facets"]["status"] == {"contested": 1, "denied": 2, "questioned": 2}
    assert page.meta["facet_sampled"] is False


def test_postgresql_tests_each_form_of_a_word_once(db, backend):
    """A word searched in every language was one to_tsquery per configuration, ORed
    (the same lexeme up to 24 times, tested and ranked for every match)."""
    if backend != "postgres":
        pytest.skip("PostgreSQL's tsquery")
    from service import search
    from service.query_syntax import parse

    node = parse("secrets -(l'état OR \"sacré combat\") inconditio*")
    text = search._tsquery_text(node, None, search._normalise(search._leaves(node, None)))
    assert text.count("'secrets'") == 1 and text.count("'secret'") == 1
    assert "'etat'" in text and "'sacre':A <-> 'combat':A" in text and "'inconditio':*" in text
    assert search._tsquery_text(parse("a"), "zz", {("claimbase", "'a'"): ""}) is None


def test_claims_search_ranks_as_the_pages_search(db, small_window):
    """GET /v1alpha1/claims:search and GET /claims?q= (the pages' search) are one search:
    the same matches in the same order (the newest window by relevance, then older matches
    newest first), claims:search showing the reviewed ones."""
    from service import queries
    from service.models import Claim
    from service.models import Review

    texts = ["klomp one", "klomp klomp two", "klomp three", "klomp four",
             "klomp klomp klomp five", "klomp six", "klomp seven"]
    ids = [Claim.create(text=text, lang="en").id for text in texts]
    for claim_id in ids[1:]:  # the first claim stays unreviewed: claims:search leaves it out
        Review.create(claim=claim_id, publisher="Checks Example", rating="false")
    searched, _ = queries.fact_checked_claims(0, 10, "klomp")
    pages = queries.claims_page(10, q="klomp", reviewed=True).items
    assert [c.id for c in searched] == [c.id for c in pages]
    assert [c.id for c in searched][:3] == [ids[4], ids[5], ids[6]]  # relevance, then id
    assert [c.id for c in searched][3:] == ids[3:0:-1]  # older, newest first
    assert [c.id for c in queries.fact_checked_claims(2, 2, "klomp")[0]] == \
        [c.id for c in pages][2:4]  # offsets page through the same order


@pytest.mark.parametrize(("q", "rare"), [
    ("putn", True), ("government", False), ("putn government", True),
    ("putn OR government", False), ("putn OR zorglub", True), ("govern*", False),
    ('"putn government"', True), ('"government govern"', False), ("government -putn", False),
])
def test_postgresql_reads_a_query_the_statistics_call_rare_from_its_index(q, rare):
    """PostgreSQL estimates a lexeme its statistics do not keep at 0.5% of the rows, and
    walked every row newest first for a word that matched none: such a query's newest matches
    are read from the GIN index and sorted instead."""
    from service import search
    from service.query_syntax import parse

    node = parse(q)
    normalised = {leaf: leaf[1] for leaf in search._leaves(node, "en")}  # no stemming here
    assert search._rare_node(node, "en", normalised, {"government", "govern"}) is rare


def test_the_newest_matches_are_the_same_through_either_plan(db, small_window, monkeypatch):
    from service import queries
    from service import search
    from service.models import Claim

    ids = [Claim.create(text=f"frobnitz n{i}", lang="en").id for i in range(5)]

    def every_page():
        seen, cursor = [], None
        while True:
            page = queries.claims_page(2, q="frobnitz", cursor=cursor, facets=["status"],
                                       facet_sample=4)
            seen += [claim.id for claim in page.items]
            if page.next_after is None:
                return seen, page.meta["facets"]
            cursor = {"after": page.next_after}

    monkeypatch.setattr(search, "_common_lexemes", lambda model: frozenset())
    rare = every_page()
    monkeypatch.setattr(search, "_common_lexemes", lambda model: frozenset({"frobnitz"}))
    assert every_page() == rare
    assert sorted(rare[0][:3]) == ids[2:] and rare[0][3:] == ids[1::-1]


def test_the_older_matches_of_a_filtered_search_are_the_same_from_the_facet_sample(
        db, small_window):
    """With words and filters, the search page's facet sample holds every match when they
    are fewer than the sample: the older matches are taken from it, and page as the index
    pages them (every facet asked, as the page asks them)."""
    from service import queries
    from service.models import Claim
    from service.models import Review

    ids = [Claim.create(text=f"quixotl n{i}", lang="en").id for i in range(9)]
    Claim.create(text="quixotl unreviewed", lang="en")
    for claim_id in ids:
        Review.create(claim=claim_id, publisher="Checks Example", rating="false")

    def every_page(**facets):
        seen, cursor = [], None
        while True:
            page = queries.claims_page(2, q="quixotl", rating=["false"], cursor=cursor,
                                       **facets)
            seen += [claim.id for claim in page.items]
            if page.next_after is None:
                return seen
            cursor = {"after": page.next_after}

    plain = every_page()
    sampled = every_page(facets=["rating", "publisher", "lang", "status", "year"],
                         facet_sample=100)
    assert sampled == plain and sorted(plain) == ids
    assert plain[3:] == ids[5::-1]  # the older matches, newest first
