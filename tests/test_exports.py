"""Exports: whole lists as NDJSON or CSV, streamed a batch at a time, with the list filters."""

import csv
import io
import json

import pytest

from service import exports


def ndjson(client, path):
    response = client.get(path)
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    return [json.loads(line) for line in response.get_data(as_text=True).splitlines()]


def without(items, *keys):
    return [{k: v for k, v in item.items() if k not in keys} for item in items]


@pytest.mark.parametrize("resource", ["claims", "quotes", "speakers", "topics"])
def test_ndjson_is_the_list_as_the_api_shows_it(client, resource):
    listed = client.get(f"/{resource}?limit=100").get_json()["data"]
    assert ndjson(client, f"/{resource}.ndjson") == listed


def test_sources_export_carries_the_text_the_list_leaves_out(client):
    """So that an export imported elsewhere keeps the texts quotes are located in."""
    listed = client.get("/sources?limit=100").get_json()["data"]
    exported = ndjson(client, "/sources.ndjson")
    assert without(exported, "text") == listed
    texts = [client.get(f"/sources/{s['id']}").get_json()["text"] for s in listed]
    assert [s["text"] for s in exported] == texts and any(texts)


def test_filters_apply(client):
    quotes = ndjson(client, "/quotes.ndjson?speaker=Kim%20Jong%20Un")
    assert quotes and {q["speaker"]["slug"] for q in quotes} == {"kim-jong-un"}
    assert {c["status"] for c in ndjson(client, "/claims.ndjson?status=contested")} == {
        "contested"}
    assert client.get("/claims.ndjson?limit=5").status_code == 400


def test_batches_stitch_together_in_order(client, monkeypatch):
    monkeypatch.setattr(exports, "BATCH", 3)
    everything = client.get("/quotes?limit=100").get_json()["data"]
    assert len(everything) > 10
    assert ndjson(client, "/quotes.ndjson") == everything


def test_csv_keeps_text_verbatim(client):
    response = client.get("/quotes.csv")
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True), newline="")))
    listed = client.get("/quotes?limit=100").get_json()["data"]
    assert [r["text"] for r in rows] == [q["text"] for q in listed]
    assert "Qui a payé les grues\u202f?" in [r["text"] for r in rows]
    first = rows[0]
    assert (first["speaker"], first["start"]) == (listed[0]["speaker"]["slug"],
                                                  str(listed[0]["text_position"]["start"]))


def test_csv_of_claims_flattens_positions(client):
    rows = list(csv.DictReader(io.StringIO(client.get("/claims.csv?status=contested")
                                           .get_data(as_text=True), newline="")))
    arms = next(r for r in rows if "artillery" in r["text"])
    assert arms["asserts"] == "united-states"
    assert set(arms["denies"].split("|")) == {"russian-officials", "north-korean-officials"}


def test_cli_export_to_a_file(app, tmp_path):
    target = tmp_path / "claims.ndjson"
    result = app.test_cli_runner().invoke(args=["export", "--resource", "claims",
                                                "--output", str(target)])
    assert result.exit_code == 0, result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert len(lines) == len(app.test_client().get("/claims?limit=100").get_json()["data"])
