"""Writing claims, their stances, reviews and topics; the status follows at once."""

import re

import pytest


@pytest.fixture
def claim(editor):
    # The same text in every test: allowed, since near-duplicates are otherwise refused.
    response = editor.post("/claims?allow_duplicate=true",
                           {"text": "Testland sold its harbour.", "lang": "en"})
    assert response.status_code == 201
    return response.get_json()


def path(claim):
    return f"/claims/{claim['id']}"


def add_stance(editor, claim, speaker, position, **fields):
    return editor.post(f"{path(claim)}/stances", {"speaker": speaker, "position": position,
                                                  **fields})


def test_create_claim(editor, claim):
    assert claim["status"] == "unattributed"
    assert claim["stances"] == {"asserts": [], "denies": [], "questions": []}
    response = editor.get(path(claim))
    assert response.headers["ETag"] == f'"claim-{claim["id"]}-v1"'


def test_status_follows_stances_at_once(editor, claim):
    asserted = add_stance(editor, claim, "john-placeholder", "asserts")
    assert asserted.status_code == 201
    assert asserted.get_json()["status"] == "asserted"
    contested = add_stance(editor, claim, "testland", "denies", stated_on="2024-02-01")
    assert contested.get_json()["status"] == "contested"
    (denial,) = contested.get_json()["stances"]["denies"]
    assert denial["stated_on"] == "2024-02-01"
    etag = contested.headers["ETag"]
    assert editor.delete(f"{path(claim)}/stances/{denial['id']}", etag).status_code == 204
    assert editor.get(path(claim)).get_json()["status"] == "asserted"
    assert claim["id"] in [c["id"] for c in
                           editor.get("/claims?status=asserted&limit=100").get_json()["data"]]


def test_stance_with_a_quote_of_the_speaker(editor, claim):
    quote_id = editor.get("/quotes?speaker=john-placeholder").get_json()["data"][0]["id"]
    response = add_stance(editor, claim, "john-placeholder", "asserts", quote=quote_id)
    (stance,) = response.get_json()["stances"]["asserts"]
    assert stance["quote"]["id"] == quote_id
    wrong = add_stance(editor, claim, "testland", "denies", quote=quote_id)
    assert wrong.status_code == 422
    assert "another speaker" in wrong.get_json()["errors"]["quote"][0]


def test_duplicate_stance_is_409(editor, claim):
    assert add_stance(editor, claim, "testland", "denies").status_code == 201
    assert add_stance(editor, claim, "testland", "denies").status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [({"speaker": "testland", "position": "maybe"}, "position"),
     ({"speaker": "nobody-at-all", "position": "asserts"}, "speaker"),
     ({"position": "asserts"}, "speaker"),
     ({"speaker": "testland", "position": "asserts", "source": 999999}, "source")],
)
def test_invalid_stances_are_422(editor, claim, body, field):
    response = editor.post(f"{path(claim)}/stances", body)
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_stale_if_match_on_adding_a_stance_is_412(editor, claim):
    response = editor.post(f"{path(claim)}/stances", {"speaker": "testland",
                                                      "position": "asserts"}, etag='"v0"')
    assert response.status_code == 412


def test_status_cannot_be_written(editor, claim):
    response = editor.patch(path(claim), {"status": "contested"}, editor.etag(path(claim)))
    assert response.status_code == 422
    assert "status" in response.get_json()["errors"]


def test_update_and_delete_claim(editor, claim):
    etag = editor.etag(path(claim))
    response = editor.patch(path(claim), {"text": "Testland sold its old harbour."}, etag)
    assert response.get_json()["text"] == "Testland sold its old harbour."
    assert editor.patch(path(claim), {"text": "Lost update."}, etag).status_code == 412
    assert editor.delete(path(claim), editor.etag(path(claim))).status_code == 204
    assert editor.get(path(claim)).status_code == 404


def test_reviews_add_and_remove(editor, claim):
    review = {"publisher": "Example Fact Check", "url": "https://factcheck.example.org/x",
              "rating_label": "Pants on Fire!", "rating": "false", "published_on": "2024-03-01",
              "lang": "en"}
    response = editor.post(f"{path(claim)}/reviews", review)
    assert response.status_code == 201
    (stored,) = response.get_json()["reviews"]
    assert {k: stored[k] for k in review} == review
    assert editor.post(f"{path(claim)}/reviews", {**review, "rating": "pants"}).status_code == 422
    etag = response.headers["ETag"]
    assert editor.delete(f"{path(claim)}/reviews/{stored['id']}", etag).status_code == 204
    assert editor.get(path(claim)).get_json()["reviews"] == []
    assert editor.delete(f"{path(claim)}/reviews/{stored['id']}",
                         editor.etag(path(claim))).status_code == 404


def test_topics_on_a_claim(editor, claim):
    assert editor.put(f"{path(claim)}/topics/trade").status_code == 428
    assert editor.put(f"{path(claim)}/topics/trade", editor.etag(path(claim))).status_code == 204
    assert editor.put(f"{path(claim)}/topics/trade", editor.etag(path(claim))).status_code == 204
    assert [t["slug"] for t in editor.get(path(claim)).get_json()["topics"]] == ["trade"]
    assert editor.put(f"{path(claim)}/topics/no-such-topic",
                      editor.etag(path(claim))).status_code == 404
    assert editor.delete(f"{path(claim)}/topics/trade", editor.etag(path(claim))).status_code == 204
    assert editor.get(path(claim)).get_json()["topics"] == []


def test_topics_are_managed_by_admins(editor, tokens):
    admin = tokens["admin"]
    created = editor.post("/topics", {"slug": "fisheries", "name": "Fisheries"}, token=admin)
    assert created.status_code == 201 and created.headers["Location"] == "/topics/fisheries"
    assert editor.post("/topics", {"slug": "fisheries", "name": "X"}, token=admin).status_code \
        == 409
    etag = created.headers["ETag"]
    renamed = editor.patch("/topics/fisheries", {"name": "Fishing"}, etag, token=admin)
    assert renamed.get_json() == {"slug": "fisheries", "name": "Fishing", "claims": 0}
    in_use = editor.delete("/topics/trade", editor.etag("/topics/trade"), token=admin)
    assert in_use.status_code == 409
    assert editor.delete("/topics/fisheries", editor.etag("/topics/fisheries"),
                         token=admin).status_code == 204


def test_a_deleted_claims_id_is_never_given_again(editor):
    """Deleting the newest claim and creating another does not hand out its id (and URL)
    again, and the old claim's ETag never matches the new one."""
    first = editor.post("/claims", {"text": "Testland sold its ferry."})
    etag, claim_id = first.headers["ETag"], first.get_json()["id"]
    assert editor.delete(f"/claims/{claim_id}", etag).status_code == 204
    second = editor.post("/claims", {"text": "Testland sold its lighthouse."}).get_json()
    assert second["id"] > claim_id
    assert editor.patch(f"/claims/{second['id']}", {"text": "Overwritten."},
                        etag).status_code == 412
    assert editor.get(f"/claims/{claim_id}").status_code == 404


@pytest.mark.parametrize(("create", "path"), [
    ({"slug": "etag-speaker", "name": "Etag Speaker", "kind": "person"}, "/speakers"),
    ({"slug": "etag-topic", "name": "Etag topic"}, "/topics"),
])
def test_an_etag_names_its_resource(editor, tokens, create, path):
    """Two resources at the same id and version never share an ETag."""
    response = editor.post(path, create, token=tokens["admin"])
    resource = path.strip("/").removesuffix("s")
    assert re.fullmatch(f'"{resource}-[0-9]+-v1"', response.headers["ETag"])
