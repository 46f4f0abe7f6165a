"""GET /claims and /claims/{id}: who asserts, who denies, with the words and the source."""

import pytest

ARMS = "North Korea supplies artillery shells and other arms to Russia"


def arms_claim(claims):
    (claim,) = [c for c in claims if c["text"].startswith(ARMS)]
    return claim


def speakers_of(group):
    return {stance["speaker"]["slug"] for stance in group}


def test_united_states_claims_include_the_contested_arms_claim(get_json):
    body = get_json("/claims?speaker=États-Unis")
    claim = arms_claim(body["data"])
    assert claim["status"] == "contested"
    assert speakers_of(claim["stances"]["asserts"]) == {"united-states"}
    assert speakers_of(claim["stances"]["denies"]) == {"russian-officials",
                                                       "north-korean-officials"}
    assert claim["speaker_positions"] == [{
        "speaker": {"id": claim["stances"]["asserts"][0]["speaker"]["id"],
                    "slug": "united-states", "name": "United States", "kind": "government"},
        "position": "asserts"}]


def test_each_stance_carries_its_verbatim_quote_and_source(get_json):
    claim = arms_claim(get_json("/claims?speaker=united-states")["data"])
    (us,) = claim["stances"]["asserts"]
    assert us["quote"]["text"].startswith("Les États-Unis ont accusé la Corée du Nord")
    assert "d’artillerie" in us["quote"]["text"]
    assert us["quote"]["selector"]["exact"] == us["quote"]["text"]
    assert us["source"]["slug"] == "kim-putin-summit-2023-09-13"
    assert us["source"]["publisher"] is None


def test_contested_filter_includes_the_arms_claim(get_json):
    body = get_json("/claims?status=contested&limit=100")
    assert {c["status"] for c in body["data"]} == {"contested"}
    arms_claim(body["data"])


def test_putin_claims(get_json):
    body = get_json("/claims?speaker=Poutine&limit=100")
    assert len(body["data"]) >= 3
    for claim in body["data"]:
        assert "vladimir-putin" in {
            s["speaker"]["slug"] for group in claim["stances"].values() for s in group}
        assert [p["speaker"]["slug"] for p in claim["speaker_positions"]] == ["vladimir-putin"]


@pytest.mark.parametrize(
    ("query", "expected_statuses"),
    [
        ("status=questioned", {"questioned"}),
        ("status=denied&status=questioned", {"denied", "questioned"}),
        ("status=unattributed", {"unattributed"}),
    ],
)
def test_status_filter(get_json, query, expected_statuses):
    body = get_json(f"/claims?{query}&limit=100")
    assert body["data"]
    assert {c["status"] for c in body["data"]} == expected_statuses


def test_position_filter_applies_to_the_named_speaker(get_json):
    denied = get_json("/claims?speaker=russian-officials&position=denies")["data"]
    assert [c["text"] for c in denied] == [arms_claim(denied)["text"]]
    assert get_json("/claims?speaker=russian-officials&position=asserts")["data"] == []


def test_position_filter_without_speaker_means_any_stance(get_json):
    body = get_json("/claims?position=questions&limit=100")
    assert {c["status"] for c in body["data"]} == {"questioned"}


def test_topic_and_lang_filters(get_json):
    arms = get_json("/claims?topic=arms-trade&limit=100")["data"]
    assert all("arms-trade" in [t["slug"] for t in c["topics"]] for c in arms)
    arms_claim(arms)
    french = get_json("/claims?lang=fr&limit=100")["data"]
    assert french and {c["lang"] for c in french} == {"fr"}


def test_date_filters_use_the_stances_dates(get_json):
    body = get_json("/claims?since=2024-01-01&until=2024-12-31&limit=100")
    texts = [c["text"] for c in body["data"]]
    assert texts and not any(t.startswith(ARMS) for t in texts)
    summit = get_json("/claims?speaker=Poutine&since=2023-09-13&until=2023-09-13")["data"]
    assert summit


def test_claim_detail_groups_stances_and_lists_reviews(get_json):
    reviewed = [c for c in get_json("/claims?limit=100")["data"] if c["reviews"]]
    (claim,) = reviewed
    detail = get_json(f"/claims/{claim['id']}")
    assert detail == {k: v for k, v in claim.items() if k != "speaker_positions"}
    (review,) = detail["reviews"]
    assert (review["rating_label"], review["rating"]) == ("Mostly False", "mostly-false")
    assert set(detail["stances"]) == {"asserts", "denies", "questions"}


def test_unknown_claim_is_a_404(client):
    assert client.get("/claims/999999").status_code == 404
    assert client.get("/claims/99999999999999999999999").status_code == 404
