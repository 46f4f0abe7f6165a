"""GET /sources, /sources/{id} and /topics."""


def test_sources_list_without_text(get_json):
    body = get_json("/sources")
    assert body["data"]
    assert all("text" not in s for s in body["data"])


def test_source_filters(get_json):
    assert {s["kind"] for s in get_json("/sources?kind=broadcast")["data"]} == {"broadcast"}
    assert {s["lang"] for s in get_json("/sources?lang=en")["data"]} == {"en"}


def test_source_detail_has_full_text_and_counts(get_json):
    source = next(s for s in get_json("/sources")["data"]
                  if s["slug"] == "kim-putin-summit-2023-09-13")
    detail = get_json(f"/sources/{source['id']}")
    assert "« soutien total et inconditionnel »" in detail["text"]
    assert detail["counts"]["quotes"] >= 20


def test_unknown_source_is_a_404(client):
    assert client.get("/sources/424242").status_code == 404


def test_topics_with_claim_counts(get_json):
    topics = get_json("/topics?limit=100")["data"]
    assert [t["slug"] for t in topics] == sorted(t["slug"] for t in topics)
    arms = next(t for t in topics if t["slug"] == "arms-trade")
    assert arms["claims"] == len(get_json("/claims?topic=arms-trade&limit=100")["data"])
