"""History: every write says who, when, what and which fields changed, before → after."""


def test_a_speaker_history_records_each_change_with_its_author(editor, tokens):
    created = editor.post("/speakers", {"slug": "hist-speaker", "name": "Hist", "kind": "group"})
    etag = created.headers["ETag"]
    updated = editor.patch("/speakers/hist-speaker", {"name": "Historians"}, etag)
    editor.post("/speakers/hist-speaker/aliases", {"name": "Historiens", "lang": "fr"})
    editor.delete("/speakers/hist-speaker", editor.etag("/speakers/hist-speaker"),
                  token=tokens["admin"])
    assert updated.status_code == 200
    history = editor.get("/speakers/hist-speaker/history").get_json()["data"]
    summary = [(c["action"], c["resource"], c["token"]) for c in history]
    assert summary == [("create", "speaker", "editor-token"), ("update", "speaker", "editor-token"),
                       ("create", "alias", "editor-token"), ("delete", "speaker", "admin-token")]
    assert history[1]["fields"] == {"name": ["Hist", "Historians"]}
    assert history[0]["fields"]["kind"] == [None, "group"]
    assert history[3]["fields"]["name"] == ["Historians", None]
    assert history[2]["parent"] == {"resource": "speaker", "id": history[0]["resource_id"]}
    assert all(c["at"].endswith("+00:00") for c in history)


def test_a_deleted_claim_keeps_its_history(editor):
    claim = editor.post("/claims", {"text": "Soon gone.", "lang": "en"}).get_json()
    path = f"/claims/{claim['id']}"
    editor.post(f"{path}/stances", {"speaker": "testland", "position": "denies"})
    editor.delete(path, editor.etag(path))
    history = editor.get(f"{path}/history").get_json()["data"]
    assert [(c["action"], c["resource"]) for c in history] == [
        ("create", "claim"), ("create", "stance"), ("delete", "claim")]
    assert history[1]["fields"]["position"] == [None, "denies"]


def test_a_failed_write_records_nothing(editor):
    before = editor.get("/changes?limit=100&resource=speaker").get_json()["meta"]["count"]
    assert editor.post("/speakers", {"slug": "elise-fauxnom", "name": "Dup",
                                     "kind": "person"}).status_code == 409
    assert editor.get("/changes?limit=100&resource=speaker").get_json()["meta"]["count"] == before


def test_history_of_something_never_seen_is_404(editor):
    assert editor.get("/claims/987654/history").status_code == 404
    assert editor.get("/topics/never-was/history").status_code == 404


def test_seeded_data_has_its_history_under_the_seed_actor(editor):
    body = editor.get("/speakers/testland/history").get_json()
    created = [c for c in body["data"] if c["token"] == "seed"]
    assert [(c["action"], c["resource"]) for c in created][:1] == [("create", "speaker")]
    assert created[0]["fields"]["name"] == [None, "Testland"]


def test_change_feed_filters(editor, tokens):
    editor.post("/topics", {"slug": "feed-topic", "name": "Feed"}, token=tokens["admin"])
    by_admin = editor.get("/changes?token=admin-token&limit=100").get_json()["data"]
    assert by_admin and {c["token"] for c in by_admin} == {"admin-token"}
    topics = editor.get("/changes?resource=topic&limit=100").get_json()["data"]
    assert topics and {c["resource"] for c in topics} == {"topic"}
    assert editor.get("/changes?since=2999-01-01T00:00:00Z").get_json()["data"] == []
    everything = editor.get("/changes?until=2999-01-01T00:00:00&limit=100").get_json()["data"]
    assert [c["id"] for c in everything] == sorted(c["id"] for c in everything)
