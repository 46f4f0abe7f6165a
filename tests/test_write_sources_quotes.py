"""Writing sources and quotes: a quote is only ever stored verbatim, located in its source."""

TEXT = "Le maire a déclaré : « Le pont rouvrira en mai. » Puis : « Le pont rouvrira en mai. »"


def new_source(editor, slug, text=TEXT, **fields):
    response = editor.post("/sources", {"slug": slug, "kind": "article", "lang": "fr",
                                        "text": text, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def new_quote(editor, source_id, text="Le pont rouvrira en mai.", **fields):
    body = {"text": text, "kind": "direct", "lang": "fr", "speaker": "elise-fauxnom",
            "source": source_id, **fields}
    return editor.post("/quotes", body)


def test_source_create_read_update_delete(editor, tokens):
    source = new_source(editor, "src-crud", url="https://news.example.org/a")
    path = f"/sources/{source['id']}"
    assert editor.get(path).get_json()["text"] == TEXT
    etag = editor.etag(path)
    assert editor.patch(path, {"title": "Le pont"}, etag).get_json()["title"] == "Le pont"
    assert editor.patch(path, {"url": "not a url"}, editor.etag(path)).status_code == 422
    assert editor.delete(path, editor.etag(path)).status_code == 403
    assert editor.delete(path, editor.etag(path), token=tokens["admin"]).status_code == 204
    assert editor.get(path).status_code == 404


def test_a_quote_is_located_verbatim_with_its_selector(editor):
    source = new_source(editor, "src-locate")
    first = new_quote(editor, source["id"])
    second = new_quote(editor, source["id"], occurrence=2, said_on="2024-05-02")
    assert (first.status_code, second.status_code) == (201, 201)
    a, b = first.get_json(), second.get_json()
    assert first.headers["Location"] == f"/quotes/{a['id']}"
    assert TEXT[a["text_position"]["start"]:a["text_position"]["end"]] == a["text"]
    assert b["text_position"]["start"] > a["text_position"]["start"]
    assert a["selector"] == {"type": "TextQuoteSelector", "exact": "Le pont rouvrira en mai.",
                             "prefix": "Le maire a déclaré : « ", "suffix": " » Puis : « Le pont "
                             "rouvrira en mai. »"[:32]}


def test_a_quote_not_in_its_source_text_is_422(editor):
    source = new_source(editor, "src-paraphrase")
    response = new_quote(editor, source["id"], text="Le pont rouvrira en juin.")
    assert response.status_code == 422
    assert "verbatim" in response.get_json()["errors"]["text"][0]
    assert new_quote(editor, source["id"], occurrence=3).status_code == 422


def test_typographic_characters_must_match_exactly(editor):
    source = new_source(editor, "src-typo", text="Il a dit « c’est fini »")
    assert new_quote(editor, source["id"], text="c'est fini").status_code == 422
    assert new_quote(editor, source["id"], text="c’est fini").status_code == 201


def test_quotes_of_a_source_without_text_have_no_selector(editor):
    source = new_source(editor, "src-notext", text=None, kind="broadcast")
    quote = new_quote(editor, source["id"], text="Anything said on air.").get_json()
    assert quote["selector"] is None and quote["text_position"] is None


def test_unknown_references_are_422(editor):
    source = new_source(editor, "src-refs")
    response = new_quote(editor, source["id"], speaker="nobody-known", via="nobody-either")
    assert response.status_code == 422
    assert "speaker" in response.get_json()["errors"]
    assert "source" in new_quote(editor, 999999).get_json()["errors"]


def test_editing_a_quote_relocates_it(editor):
    source = new_source(editor, "src-edit", text="Un. Deux. Trois.")
    quote = new_quote(editor, source["id"], text="Deux.").get_json()
    path = f"/quotes/{quote['id']}"
    moved = editor.patch(path, {"text": "Trois."}, editor.etag(path)).get_json()
    assert moved["text_position"] == {"type": "TextPositionSelector", "start": 10, "end": 16}
    assert editor.patch(path, {"text": "Quatre."}, editor.etag(path)).status_code == 422
    assert editor.get(path).get_json()["text"] == "Trois."


def test_changing_a_source_text_relocates_its_quotes_or_refuses(editor):
    source = new_source(editor, "src-retext", text="Avant. Il a dit « oui ». Après.")
    quote = new_quote(editor, source["id"], text="oui").get_json()
    path = f"/sources/{source['id']}"
    kept = editor.patch(path, {"text": "Préambule. Il a dit « oui ». Après."}, editor.etag(path))
    assert kept.status_code == 200
    relocated = editor.get(f"/quotes/{quote['id']}").get_json()
    assert relocated["text_position"]["start"] == len("Préambule. Il a dit « ")
    refused = editor.patch(path, {"text": "Il a dit non."}, editor.etag(path))
    assert refused.status_code == 422
    assert str(quote["id"]) in refused.get_json()["errors"]["text"][0]
    assert editor.get(path).get_json()["text"] == "Préambule. Il a dit « oui ». Après."


def test_a_cited_source_cannot_be_deleted(editor, tokens):
    source = new_source(editor, "src-cited")
    new_quote(editor, source["id"])
    path = f"/sources/{source['id']}"
    assert editor.delete(path, editor.etag(path), token=tokens["admin"]).status_code == 409


def test_deleting_a_quote_keeps_the_stance_without_evidence(editor):
    source = new_source(editor, "src-evidence")
    quote = new_quote(editor, source["id"]).get_json()
    claim = editor.post("/claims", {"text": "The bridge reopens in May.", "lang": "en"})
    claim_id = claim.get_json()["id"]
    editor.post(f"/claims/{claim_id}/stances", {"speaker": "elise-fauxnom",
                                                "position": "asserts", "quote": quote["id"]})
    path = f"/quotes/{quote['id']}"
    assert editor.delete(path, editor.etag(path)).status_code == 204
    (stance,) = editor.get(f"/claims/{claim_id}").get_json()["stances"]["asserts"]
    assert stance["quote"] is None


def test_a_refused_text_change_leaves_every_quote_as_it_was(editor):
    source = new_source(editor, "src-atomic", text="Début. « oui » puis « non ». Fin.")
    kept = new_quote(editor, source["id"], text="oui").get_json()
    lost = new_quote(editor, source["id"], text="non").get_json()
    changes_before = editor.get("/changes?resource=quote&limit=100").get_json()["meta"]["count"]
    path = f"/sources/{source['id']}"
    response = editor.patch(path, {"text": "Autre début. « oui » seulement."}, editor.etag(path))
    assert response.status_code == 422
    assert str(lost["id"]) in response.get_json()["errors"]["text"][0]
    assert editor.get(f"/quotes/{kept['id']}").get_json() == kept  # its relocation rolled back
    assert editor.get("/changes?resource=quote&limit=100").get_json()["meta"]["count"] \
        == changes_before
