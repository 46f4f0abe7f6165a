"""The dataset loader: validated, atomic, idempotent, and precise about what is wrong."""

import json

import pytest

from service.loader import DatasetError
from service.loader import load_dataset
from service.models import Claim
from service.models import Quote
from service.models import Speaker
from tests.conftest import WORLD


def write(tmp_path, dataset, text=None):
    if text is not None:
        (tmp_path / "text.txt").write_text(text, encoding="utf-8")
    path = tmp_path / "data.json"
    path.write_text(json.dumps({"format": "claimbase-dataset/1", **dataset}), encoding="utf-8")
    return path


def counts():
    return (Speaker.select().count(), Quote.select().count(), Claim.select().count())


SPEAKER = {"slug": "new-person", "name": "New Person", "kind": "person"}
SOURCE = {"slug": "new-source", "kind": "article", "text_file": "text.txt"}


def test_a_bad_record_anywhere_means_nothing_is_written(db, tmp_path):
    before = counts()
    path = write(tmp_path, {
        "speakers": [SPEAKER, {"slug": "Bad Slug", "name": "", "kind": "alien"}],
        "sources": [SOURCE],
        "quotes": [{"ref": "q", "text": "absent words", "speaker": "new-person",
                    "source": "new-source", "kind": "direct"}],
    }, text="Some words.")
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    places = dict(error.value.problems)
    # The import pipeline reports each bad record once, at its first bad field.
    assert [p for p in places if p.startswith("speakers[")] == ["speakers[1].slug"]
    assert "not found verbatim" in places["quotes[0].text"]
    assert counts() == before


def test_unknown_references_are_reported(db, tmp_path):
    stance = {"speaker": "nobody", "position": "asserts"}
    claim = {"text": "A claim.", "lang": "en", "topics": ["nope"], "stances": [stance]}
    path = write(tmp_path, {"claims": [claim]})
    with pytest.raises(DatasetError) as error:
        load_dataset(path)
    assert dict(error.value.problems) == {"claims[0].topics[0]": "unknown reference 'nope'"}
    claim["topics"] = []
    with pytest.raises(DatasetError) as error:
        load_dataset(write(tmp_path, {"claims": [claim]}))
    assert dict(error.value.problems) == {
        "claims[0].stances[0].speaker": "unknown reference 'nobody'"}


@pytest.mark.parametrize("content", ["not json", '{"format": "other"}', '{"format": '
                                     '"claimbase-dataset/1", "extra": []}'])
def test_unreadable_or_foreign_files_are_refused(db, tmp_path, content):
    path = tmp_path / "data.json"
    path.write_text(content)
    with pytest.raises(DatasetError):
        load_dataset(path)


def test_fixture_world_reload_is_a_no_op(db):
    before = counts()
    report = load_dataset(WORLD)
    assert sum(report.created.values()) == 0
    assert counts() == before


def test_quote_selector_uses_the_requested_occurrence(db):
    first, second = (Quote.select().where(Quote.text == "Le port de Testland rouvrira en 2024")
                     .order_by(Quote.start_offset))
    assert first.start_offset < second.start_offset
    assert first.prefix != second.prefix


def test_quotes_of_a_source_without_text_have_no_selector(db):
    quote = Quote.get(Quote.text == "The cranes left Testland on a barge.")
    assert (quote.start_offset, quote.prefix, quote.selector) == (None, None, None)


def test_exotic_whitespace_is_kept(db):
    assert Quote.get_or_none(Quote.text == "Qui a payé les grues\u202f?") is not None


def test_two_spellings_that_match_alike_in_one_language_are_reported(db, tmp_path):
    speaker = {**SPEAKER, "aliases": [{"name": "Kim Jong-un", "lang": "en"},
                                      {"name": "Kim Jong Un", "lang": "en"},
                                      {"name": "Kim Jong Un", "lang": "fr"}]}
    with pytest.raises(DatasetError) as error:
        load_dataset(write(tmp_path, {"speakers": [speaker]}))
    assert error.value.problems == [
        ("speakers[0].aliases", "'Kim Jong Un' and 'Kim Jong-un' are the same name for matching")]


def test_database_constraint_violations_become_dataset_errors(db, tmp_path):
    clash = {"slug": "new-person", "name": "New Person", "kind": "person", "wikidata_id": "Q7747"}
    before = counts()
    with pytest.raises(DatasetError) as error:
        load_dataset(write(tmp_path, {"speakers": [clash]}))
    assert "conflicts with the database" in error.value.problems[0][1]
    assert counts() == before
