"""The same record written through the API, an import file and a seed file ends up the same:
the same normalised rating, the same selector, the same history shape (parts with their
parent). One table, three writers."""

import json

from service.importer import import_text
from service.loader import load_dataset

SOURCE_TEXT = ("Before. The harbour cranes never left, the mayor said. "
               "The harbour cranes never left.")
QUOTE = "The harbour cranes never left"
LABEL = "Pants on Fire!"


def via_api(editor, write_app, tmp_path, n):
    source = editor.post("/sources", {"slug": f"same-src-{n}", "kind": "article",
                                      "text": SOURCE_TEXT})
    assert source.status_code == 201, source.get_json()
    quote = editor.post("/quotes", {"text": QUOTE, "kind": "direct", "speaker": "testland",
                                    "source": source.get_json()["id"], "occurrence": 2})
    assert quote.status_code == 201, quote.get_json()
    claim = editor.post("/claims", {"text": f"The cranes stayed ({n}).", "lang": "en"})
    path = f"/claims/{claim.get_json()['id']}"
    assert editor.post(f"{path}/stances", {"speaker": "testland", "position": "asserts",
                                           "quote": quote.get_json()["id"]}).status_code == 201
    assert editor.post(f"{path}/reviews", {"publisher": "Desk", "url": "https://example.org/r",
                                           "rating_label": LABEL}).status_code == 201
    return claim.get_json()["id"]


def via_import(editor, write_app, tmp_path, n):
    source = {"slug": f"same-src-{n}", "kind": "article", "text": SOURCE_TEXT}
    start = SOURCE_TEXT.index(QUOTE, SOURCE_TEXT.index(QUOTE) + 1)
    position = {"start": start, "end": start + len(QUOTE)}
    quote = {"text": QUOTE, "kind": "direct", "speaker": {"slug": "testland"},
             "source": {"slug": f"same-src-{n}"}, "text_position": position}
    claim = {"text": f"The cranes stayed ({n}).", "lang": "en", "stances": {"asserts": [
        {"speaker": {"slug": "testland"}, "quote": {"text": QUOTE, "text_position": position},
         "source": {"slug": f"same-src-{n}"}}]},
        "reviews": [{"publisher": "Desk", "url": "https://example.org/r",
                     "rating_label": LABEL}]}
    with write_app.extensions["claimbase.db"].connection_context():
        for resource, record in (("sources", source), ("quotes", quote), ("claims", claim)):
            import_text(json.dumps(record), "ndjson", "cli", resource=resource)
    return claim_id(editor, n)


def via_seed(editor, write_app, tmp_path, n):
    (tmp_path / "text.txt").write_text(SOURCE_TEXT, encoding="utf-8")
    testland = {"slug": "testland", "name": "Testland", "kind": "government"}
    dataset = {
        "format": "claimbase-dataset/1", "speakers": [testland],
        "sources": [{"slug": f"same-src-{n}", "kind": "article", "text_file": "text.txt"}],
        "quotes": [{"ref": "q", "text": QUOTE, "kind": "direct", "speaker": "testland",
                    "source": f"same-src-{n}", "occurrence": 2}],
        "claims": [{"text": f"The cranes stayed ({n}).", "lang": "en", "stances": [
            {"speaker": "testland", "position": "asserts", "quote": "q",
             "source": f"same-src-{n}"}],
            "reviews": [{"publisher": "Desk", "url": "https://example.org/r",
                         "rating_label": LABEL}]}],
    }
    (tmp_path / "data.json").write_text(json.dumps(dataset), encoding="utf-8")
    with write_app.extensions["claimbase.db"].connection_context():
        load_dataset(tmp_path / "data.json")
    return claim_id(editor, n)


def claim_id(editor, n):
    found = editor.get(f"/claims?q=cranes+stayed+{n}").get_json()["data"]
    return next(c["id"] for c in found if c["text"] == f"The cranes stayed ({n}).")


def outcome(editor, claim):
    body = editor.get(f"/claims/{claim}").get_json()
    quote_id = body["stances"]["asserts"][0]["quote"]["id"]
    quote = editor.get(f"/quotes/{quote_id}").get_json()
    history = editor.get(f"/claims/{claim}/history").get_json()["data"]
    shape = sorted((c["action"], c["resource"], (c["parent"] or {}).get("resource"),
                    (c["parent"] or {}).get("id") == claim, tuple(sorted(c["fields"])))
                   for c in history)
    return {"rating": [(r["rating_label"], r["rating"]) for r in body["reviews"]],
            "selector": quote["selector"], "position": quote["text_position"],
            "status": body["status"], "history": shape}


WRITERS = (via_api, via_import, via_seed)


def test_three_writers_one_outcome(editor, write_app, tmp_path):
    """All three writers in one test, on one database, compared with each other (a table of
    separate tests could land on different workers and compare nothing)."""
    got = {}
    for n, writer in enumerate(WRITERS, start=1):
        folder = tmp_path / writer.__name__
        folder.mkdir()
        got[writer.__name__] = outcome(editor, writer(editor, write_app, folder, n))
    start = SOURCE_TEXT.index(QUOTE, SOURCE_TEXT.index(QUOTE) + 1)
    for name, found in got.items():
        assert found["rating"] == [(LABEL, "false")], name
        assert found["position"]["start"] == start, name
        assert found["selector"]["exact"] == QUOTE, name
        assert found["selector"]["prefix"].endswith("said. "), name
        assert found["status"] == "asserted", name
        parts = {(action, resource) for action, resource, parent, of_this_claim, _ in
                 found["history"] if parent == "claim" and of_this_claim}
        assert {("create", "stance"), ("create", "review")} <= parts, name
    assert got["via_import"] == got["via_api"]
    assert got["via_seed"] == got["via_api"]
