"""Writing speakers and their aliases: create, update, delete, and every refusal."""

import pytest

NEW = {"slug": "ada-example", "name": "Ada Exemple", "kind": "person", "country": "FR"}


def create(editor, **fields):
    response = editor.post("/speakers", {**NEW, **fields})
    assert response.status_code == 201, response.get_json()
    return response


def test_create_returns_201_location_etag_and_the_speaker(editor):
    response = create(editor, slug="ada-create")
    assert response.headers["Location"] == "/speakers/ada-create"
    body = response.get_json()
    assert response.headers["ETag"] == f'"speaker-{body["id"]}-v1"'
    assert (body["name"], body["country"], body["aliases"]) == ("Ada Exemple", "FR", [])
    assert editor.get("/speakers/ada-create").get_json() == body


def test_a_new_speaker_is_found_by_name_at_once(editor):
    create(editor, slug="ada-found", name="Ãda Trouvée")
    body = editor.get("/quotes?speaker=ada trouvee").get_json()
    assert body["meta"]["speakers"][0]["speaker"]["slug"] == "ada-found"


def test_update_needs_the_current_etag(editor):
    etag = create(editor, slug="ada-update").headers["ETag"]
    assert editor.patch("/speakers/ada-update", {"description": "Mayor"}).status_code == 428
    updated = editor.patch("/speakers/ada-update", {"description": "Mayor"}, etag)
    assert updated.status_code == 200
    assert updated.get_json()["description"] == "Mayor"
    assert updated.headers["ETag"] == etag.replace("-v1", "-v2")
    stale = editor.patch("/speakers/ada-update", {"description": "Senator"}, etag)
    assert stale.status_code == 412
    assert stale.get_json()["etag"] == etag.replace("-v1", "-v2")
    assert editor.get("/speakers/ada-update").get_json()["description"] == "Mayor"


def test_if_match_star_and_lists(editor):
    etag = create(editor, slug="ada-star").headers["ETag"]
    assert editor.patch("/speakers/ada-star", {"country": "BE"}, "*").status_code == 200
    listed = f'"v9", {etag.replace("-v1", "-v2")}'
    assert editor.patch("/speakers/ada-star", {"country": "CH"}, listed).status_code == 200


def test_renaming_the_slug_moves_the_speaker(editor):
    etag = create(editor, slug="ada-old").headers["ETag"]
    response = editor.patch("/speakers/ada-old", {"slug": "ada-new"}, etag)
    assert response.headers["Location"] == "/speakers/ada-new"
    assert editor.get("/speakers/ada-old").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slug": "Not A Slug"}, "slug"),
        ({"kind": "alien"}, "kind"),
        ({"country": "France"}, "country"),
        ({"wikidata_id": "7747"}, "wikidata_id"),
        ({"name": ""}, "name"),
        ({"counts": {"quotes": 1}}, "counts"),
        ({"id": 99}, "id"),
        ({"favourite_colour": "red"}, "favourite_colour"),
    ],
)
def test_invalid_bodies_are_422_per_field(editor, body, field):
    response = editor.post("/speakers", {**NEW, "slug": "ada-invalid", **body})
    assert response.status_code == 422
    assert field in response.get_json()["errors"]


def test_malformed_json_is_400(editor):
    response = editor.client.post("/speakers", data="{not json", headers={
        **editor.headers(), "Content-Type": "application/json"})
    assert response.status_code == 400


def test_duplicate_slug_or_wikidata_id_is_409_from_the_database(editor):
    create(editor, slug="ada-dup", wikidata_id="Q999999999")
    again = editor.post("/speakers", {**NEW, "slug": "ada-dup"})
    assert again.status_code == 409
    assert "slug" in again.get_json()["detail"]
    other = editor.post("/speakers", {**NEW, "slug": "ada-dup2", "wikidata_id": "Q999999999"})
    assert other.status_code == 409


def test_delete_needs_admin_and_if_match(editor, tokens):
    etag = create(editor, slug="ada-delete").headers["ETag"]
    assert editor.delete("/speakers/ada-delete", etag).status_code == 403
    assert editor.delete("/speakers/ada-delete", token=tokens["admin"]).status_code == 428
    assert editor.delete("/speakers/ada-delete", '"v7"', token=tokens["admin"]).status_code == 412
    assert editor.delete("/speakers/ada-delete", etag, token=tokens["admin"]).status_code == 204
    assert editor.get("/speakers/ada-delete").status_code == 404


def test_a_speaker_with_quotes_cannot_be_deleted(editor, tokens):
    etag = editor.etag("/speakers/elise-fauxnom")
    response = editor.delete("/speakers/elise-fauxnom", etag, token=tokens["admin"])
    assert response.status_code == 409
    assert editor.get("/speakers/elise-fauxnom").status_code == 200


def test_aliases_add_and_remove(editor):
    create(editor, slug="ada-alias")
    added = editor.post("/speakers/ada-alias/aliases", {"name": "Ада", "lang": "ru"})
    assert added.status_code == 201
    assert [(a["name"], a["lang"]) for a in added.get_json()["aliases"]] == [("Ада", "ru")]
    assert editor.get("/claims?speaker=АДА").get_json()["meta"]["speakers"][0]["speaker"][
        "slug"] == "ada-alias"
    assert editor.post("/speakers/ada-alias/aliases",
                       {"name": "ада", "lang": "ru"}).status_code == 409
    alias_id = _alias_id(editor, "ada-alias", "Ада")
    etag = added.headers["ETag"]
    assert editor.delete(f"/speakers/ada-alias/aliases/{alias_id}").status_code == 428
    assert editor.delete(f"/speakers/ada-alias/aliases/{alias_id}", etag).status_code == 204
    assert editor.get("/speakers/ada-alias").get_json()["aliases"] == []
    assert editor.delete(f"/speakers/ada-alias/aliases/{alias_id}",
                         editor.etag("/speakers/ada-alias")).status_code == 404


def test_alias_needs_a_letter(editor):
    create(editor, slug="ada-noletter")
    response = editor.post("/speakers/ada-noletter/aliases", {"name": "---"})
    assert response.status_code == 422


def _alias_id(editor, slug, name):
    aliases = editor.get(f"/speakers/{slug}").get_json()["aliases"]
    return next(alias["id"] for alias in aliases if alias["name"] == name)
