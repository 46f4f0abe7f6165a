"""GET /quotes and /quotes/{id}: words exactly as printed, located in their source."""

import pytest


def test_kim_quotes_exactly_as_printed(get_json):
    body = get_json("/quotes?speaker=Kim Jong Un&limit=100")
    texts = [q["text"] for q in body["data"]]
    assert "soutien total et inconditionnel" in texts
    assert "première priorité" in texts
    assert {q["speaker"]["slug"] for q in body["data"]} == {"kim-jong-un"}


def test_quote_detail_carries_w3c_selectors(get_json):
    quotes = get_json("/quotes?speaker=kim-jong-un&limit=100")["data"]
    (quote,) = [q for q in quotes if q["text"] == "soutien total et inconditionnel"]
    detail = get_json(f"/quotes/{quote['id']}")
    assert detail == quote
    assert detail["selector"] == {"type": "TextQuoteSelector",
                                  "exact": "soutien total et inconditionnel",
                                  "prefix": detail["selector"]["prefix"],
                                  "suffix": detail["selector"]["suffix"]}
    assert detail["selector"]["prefix"].endswith("« ")
    source = get_json(f"/sources/{detail['source']['id']}")
    start, end = detail["text_position"]["start"], detail["text_position"]["end"]
    assert source["text"][start:end] == detail["text"]


def test_non_breaking_spaces_and_emoji_round_trip(get_json):
    texts = {q["text"] for q in get_json("/quotes?speaker=pyotr-obraztsov&limit=100")["data"]}
    assert "Qui a payé les grues\u202f?" in texts
    texts = {q["text"] for q in get_json("/quotes?speaker=elise-fauxnom&limit=100")["data"]}
    assert "bon vent 🚢" in texts


def test_via_filter_finds_relayed_words(get_json):
    body = get_json("/quotes?via=médias d’État russes&limit=100")
    assert body["meta"]["via"][0]["speaker"]["slug"] == "russian-state-media"
    assert body["data"] and {q["via"]["slug"] for q in body["data"]} == {"russian-state-media"}


@pytest.mark.parametrize(
    ("query", "check"),
    [
        ("kind=indirect", lambda q: q["kind"] == "indirect"),
        ("lang=ru", lambda q: q["lang"] == "ru"),
        ("since=2024-01-01", lambda q: q["said_on"] >= "2024-01-01"),
        ("until=2022-12-31", lambda q: q["said_on"] <= "2022-12-31"),
        ("since=2023-09-13&until=2023-09-13", lambda q: q["said_on"] == "2023-09-13"),
    ],
)
def test_quote_filters(get_json, query, check):
    data = get_json(f"/quotes?{query}&limit=100")["data"]
    assert data
    assert all(check(q) for q in data)


def test_source_and_claim_filters(get_json):
    claims = get_json("/claims?status=contested&limit=100")["data"]
    arms = next(c for c in claims if "artillery" in c["text"])
    evidence = get_json(f"/quotes?claim={arms['id']}")["data"]
    assert {q["speaker"]["slug"] for q in evidence} == {
        "united-states", "russian-officials", "north-korean-officials"}
    source_id = evidence[0]["source"]["id"]
    from_source = get_json(f"/quotes?source={source_id}&limit=100")["data"]
    assert {q["source"]["id"] for q in from_source} == {source_id}


def test_quote_without_source_text_has_no_selector(get_json):
    data = get_json("/quotes?speaker=john-placeholder&limit=100")["data"]
    barge = next(q for q in data if q["text"] == "The cranes left Testland on a barge.")
    assert barge["selector"] is None and barge["text_position"] is None


def test_unknown_quote_is_a_404(client):
    assert client.get("/quotes/999999").status_code == 404
