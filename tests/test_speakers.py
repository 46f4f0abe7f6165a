"""GET /speakers and speaker resolution: any name, any script, any spelling."""

import re

import pytest

from service.db import is_sqlite
from service.models import Alias
from service.models import Speaker


def slugs(items):
    return [item["slug"] for item in items]


SPELLINGS = [
    ("Poutine", "vladimir-putin"),
    ("putin", "vladimir-putin"),
    ("Путин", "vladimir-putin"),
    ("VLADIMIR  POUTINE", "vladimir-putin"),
    ("vladimir-putin", "vladimir-putin"),
    ("푸틴", "vladimir-putin"),
    ("etats unis", "united-states"),
    ("États-Unis", "united-states"),
    ("united-states", "united-states"),
    ("ETATS-UNIS", "united-states"),
    ("Kim Jong Un", "kim-jong-un"),
    ("kim jong-un", "kim-jong-un"),
    ("김정은", "kim-jong-un"),
    ("Ким Чен Ын", "kim-jong-un"),
    ("Фоном", "elise-fauxnom"),
    ("elise fauxnom", "elise-fauxnom"),
]


@pytest.mark.parametrize(("name", "slug"), SPELLINGS)
def test_speaker_filter_finds_the_speaker_by_any_spelling(get_json, name, slug):
    body = get_json("/quotes", query_string={"speaker": name, "limit": 100})
    assert [m["speaker"]["slug"] for m in body["meta"]["speakers"]] == [slug]
    assert body["meta"]["speakers"][0]["query"] == name
    assert body["meta"]["unmatched"] == []
    assert {q["speaker"]["slug"] for q in body["data"]} <= {slug}


def test_meta_says_through_which_name_it_matched(get_json):
    body = get_json("/claims?speaker=Путин")
    (match,) = body["meta"]["speakers"]
    assert (match["matched_by"], match["matched_name"], match["lang"]) == ("alias", "Путин", "ru")


def test_matching_by_id_and_slug(get_json, client):
    putin = get_json("/speakers/vladimir-putin")
    by_id = get_json(f"/claims?speaker={putin['id']}")["meta"]["speakers"][0]
    assert (by_id["matched_by"], by_id["speaker"]["slug"]) == ("id", "vladimir-putin")
    by_slug = get_json("/claims?speaker=vladimir-putin")["meta"]["speakers"][0]
    assert by_slug["matched_by"] == "slug"


def test_unknown_name_is_reported_with_suggestions(get_json):
    body = get_json("/claims?speaker=Putim")
    assert body["data"] == []
    (unmatched,) = body["meta"]["unmatched"]
    assert unmatched["query"] == "Putim"
    assert slugs(unmatched["suggestions"])[0] == "vladimir-putin"
    assert len(unmatched["suggestions"]) <= 3


def test_repeated_speaker_means_any_of_them(get_json):
    body = get_json("/claims?speaker=Poutine&speaker=États-Unis&speaker=Nobody%20Atall&limit=100")
    assert {m["speaker"]["slug"] for m in body["meta"]["speakers"]} == {
        "vladimir-putin", "united-states"}
    assert [u["query"] for u in body["meta"]["unmatched"]] == ["Nobody Atall"]
    speakers = {p["speaker"]["slug"] for c in body["data"] for p in c["speaker_positions"]}
    assert speakers == {"vladimir-putin", "united-states"}


def test_an_ambiguous_name_matches_every_speaker_it_names(get_json):
    body = get_json("/quotes?speaker=Bob")
    assert {m["speaker"]["slug"] for m in body["meta"]["speakers"]} == {"bob-hostile",
                                                                        "bob-example"}


def explain(db, query):
    """The query plan as one string; PostgreSQL is told to prefer indexes on tiny tables."""
    sql, params = query.sql()
    if is_sqlite(db):
        return " ".join(str(row) for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params))
    db.execute_sql("SET LOCAL enable_seqscan = off")
    return " ".join(str(row) for row in db.execute_sql("EXPLAIN " + sql, params))


@pytest.mark.parametrize("model", [Speaker, Alias])
def test_resolution_is_an_indexed_lookup(db, model):
    plan = explain(db, model.select().where(model.key == "poutine"))
    assert re.search(r"(USING INDEX|Index Scan using|Bitmap Index Scan on) \w*key", plan), plan


def test_list_speakers_in_slug_order_with_aliases(get_json):
    body = get_json("/speakers?limit=100")
    assert slugs(body["data"]) == sorted(slugs(body["data"]))
    putin = next(s for s in body["data"] if s["slug"] == "vladimir-putin")
    assert ("Путин", "ru") in [(a["name"], a["lang"]) for a in putin["aliases"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "poutine"}, {"vladimir-putin"}),
        ({"q": "ETATS"}, {"united-states"}),
        ({"kind": "media"}, {"kcna", "russian-state-media", "russian-news-agencies",
                             "example-news-agency"}),
        ({"country": "ru", "kind": "person"}, {"vladimir-putin", "andrei-rudenko",
                                               "pyotr-obraztsov"}),
        ({"q": "%"}, set()),
    ],
)
def test_speaker_filters(get_json, query, expected):
    body = get_json("/speakers", query_string={**query, "limit": 100})
    assert set(slugs(body["data"])) == expected


def test_speaker_detail_has_aliases_and_counts(get_json):
    kim = get_json("/speakers/kim-jong-un")
    assert kim["wikidata_id"] == "Q56226"
    assert ("김정은", "ko") in [(a["name"], a["lang"]) for a in kim["aliases"]]
    assert kim["counts"]["quotes"] >= 5
    kcna = get_json("/speakers/kcna")
    assert kcna["counts"]["relayed"] >= 1


def test_hostile_names_come_back_as_data(get_json):
    bob = get_json("/speakers/bob-hostile")
    assert "<script>alert(1)</script>" in bob["name"]
    assert "\u200f" in bob["name"]


def test_unknown_speaker_is_a_404_problem(client):
    response = client.get("/speakers/nobody-at-all")
    assert response.status_code == 404
    assert response.get_json()["detail"] == "No speaker with slug 'nobody-at-all'."
