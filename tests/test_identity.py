"""Speaker identity (docs/speaker-resolution.md): the folding table, the resolution ladder
step by step, suggestions, names in writes, imports landing on existing speakers, merges.

Every table runs on both backends (the `app`/`fresh`/`editor` fixtures)."""

import csv
import io
from pathlib import Path
from urllib.parse import quote

import pytest

from service import create_app
from service import identity
from service.db import bind
from service.db import migrate
from service.importer import import_stream
from service.models import Alias
from service.models import Speaker
from service.models import SpeakerKey
from service.text import slugify

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = ROOT.parent / "shared" / "data"
LIAR2 = SHARED_DATA / "liar2" / "valid.csv"
CLEF = SHARED_DATA / "clef2018-checkthat" / "task2" / "Task2-English-1st-Presidential.tsv"
CLAIMREVIEW_TRUMP = ROOT / "fixtures" / "claimreview-trump.jsonld"


# --- the romanisation-folding table ---------------------------------------------------------

@pytest.mark.parametrize(("one", "other"), [
    ("Poutine", "Putin"),  # French ou, mute e
    ("Putine", "Putin"),
    ("Choïgou", "Shoigu"),  # French ch, ou; diaeresis
    ("Schoigu", "Shoigu"),  # German sch
    ("Шойгу", "Shoigu"),  # Cyrillic → Shoygu, y → i
    ("Medwedew", "Medvedev"),  # German w
    ("Sergei", "Sergey"),  # -ei / -ey / -ej
    ("Sergej", "Sergey"),
    ("Tschaikowski", "Tchaikovsky"),  # German tsch, French tch, English ch
    ("Jirinovski", "Zhirinovsky"),  # French j / English zh
    ("Ieltsine", "Yeltsin"),
    ("Loukachenko", "Lukashenko"),
    ("Лукашенко", "Lukashenko"),
    ("Ivanoff", "Ivanov"),
    ("Gorbatchev", "Gorbachev"),
    ("Moon Jae-in", "문재인"),  # Korean, syllables apart; oo / u
    ("Kim Jong-un", "김정은"),  # revised romanisation (gim jeong eun) folded
    ("Putin", "푸틴"),  # Hangul, syllables joined
])
def test_romanisations_of_one_name_fold_alike(one, other):
    assert set(identity.translit_variants(one)) & set(identity.translit_variants(other))


@pytest.mark.parametrize(("one", "other"), [
    ("Putin", "Petain"), ("Kim", "Kimball"), ("Medvedev", "Medved"), ("Bush", "Busch Gardens"),
])
def test_different_names_stay_apart(one, other):
    assert not set(identity.translit_variants(one)) & set(identity.translit_variants(other))


@pytest.mark.parametrize(("name", "tokens"), [
    ("President Putin", ("putin",)),
    ("le président Poutine", ("poutine",)),
    ("Президент Путин", ("путин",)),
    ("김정은 위원장", ("김정은",)),
    ("Mme Fauxnom", ("fauxnom",)),
    ("President", ("president",)),  # nothing but a title: kept
])
def test_titles_are_dropped(name, tokens):
    assert identity.name_tokens(name) == tokens


@pytest.mark.parametrize(("name", "slug"), [
    ("Путин", "putin"), ("Łukaszenka", "lukaszenka"), ("Владимир Путин", "vladimir-putin"),
    ("Barack Obama", "barack-obama"), ("北京", "beijing"),
])
def test_new_speakers_slugs_are_transliterated(name, slug):
    assert slugify(name, transliterate=True) == slug


# --- the ladder, on the seeds and the fixture world -------------------------------------------

LADDER = [
    # value, slugs matched, matched_by, ambiguous
    ("42", None, None, None),  # an id nobody has
    ("vladimir-putin", {"vladimir-putin"}, "slug", False),
    ("Q7747", {"vladimir-putin"}, "wikidata", False),
    ("https://www.wikidata.org/wiki/Q56226", {"kim-jong-un"}, "wikidata", False),
    ("Vladimir Putin", {"vladimir-putin"}, "name", False),
    ("VLADIMIR  POUTINE", {"vladimir-putin"}, "alias", False),
    ("Путин", {"vladimir-putin"}, "alias", False),
    ("putin vladimir", {"vladimir-putin"}, "tokens", False),  # other word order
    ("President Putin", {"vladimir-putin"}, "tokens", False),  # a title
    ("le président Poutine", {"vladimir-putin"}, "tokens", False),
    ("Президент Путин", {"vladimir-putin"}, "tokens", False),
    ("김정은 위원장", {"kim-jong-un"}, "tokens", False),
    ("Obraztsov", {"pyotr-obraztsov"}, "tokens", False),  # a surname alone
    ("Rudenko Andrei", {"andrei-rudenko"}, "tokens", False),
    ("Mme Fauxnom", {"elise-fauxnom"}, "tokens", False),
    ("Андрей Руденко", {"andrei-rudenko"}, "transliteration", False),  # no Cyrillic alias
    ("Putine", {"vladimir-putin"}, "transliteration", False),  # a romanisation not stored
    ("Obraztsoff", {"pyotr-obraztsov"}, "transliteration", False),
    ("Vladimir Putn", {"vladimir-putin"}, "similar", False),  # a one-letter misspelling
    ("Bob", {"bob-hostile", "bob-example"}, "alias", True),
    ("Kim", {"kim-jong-un", "kim-jong-un-interpreter"}, "tokens", True),
    ("Nobody Atall", None, None, None),
    ("Zzyzx Qwerty", None, None, None),
    ("Putim", None, None, None),  # too far to resolve: suggested
]


@pytest.mark.parametrize(("value", "slugs", "matched_by", "ambiguous"), LADDER)
def test_the_ladder(get_json, value, slugs, matched_by, ambiguous):
    body = get_json(f"/claims?speaker={quote(value)}&limit=1")
    matched = body["meta"]["speakers"]
    if slugs is None:
        assert matched == [] and [u["query"] for u in body["meta"]["unmatched"]] == [value]
        return
    assert {m["speaker"]["slug"] for m in matched} == slugs
    assert {m["matched_by"] for m in matched} == {matched_by}
    assert {m["ambiguous"] for m in matched} == {ambiguous}
    exact_rung = matched_by in ("id", "slug", "wikidata", "name", "alias")
    assert all((m["confidence"] == 1.0) == exact_rung for m in matched)
    assert all(0 < m["confidence"] <= 1 for m in matched)


@pytest.mark.parametrize("value", ["Putine", "putin vladimir", "Vladimir Putn"])
def test_exact_turns_the_fuzzy_steps_off(get_json, value):
    body = get_json(f"/quotes?speaker={quote(value)}&exact=true")
    assert body["meta"]["speakers"] == [] and body["data"] == []
    assert get_json(f"/quotes?speaker={quote(value)}")["meta"]["speakers"]


def test_suggestions_come_from_the_trigram_index(get_json):
    body = get_json("/quotes?speaker=Putim")
    (unmatched,) = body["meta"]["unmatched"]
    assert [s["slug"] for s in unmatched["suggestions"]][0] == "vladimir-putin"
    assert get_json("/quotes?speaker=Zzyzx%20Qwerty")["meta"]["unmatched"][0][
        "suggestions"] == []


def test_via_climbs_the_same_ladder(get_json):
    body = get_json(f"/quotes?via={quote('Korean Central News')}")
    assert {m["speaker"]["slug"] for m in body["meta"]["via"]} == {"kcna"}
    assert body["meta"]["via"][0]["matched_by"] == "tokens"


@pytest.mark.parametrize(("q", "slug"), [
    ("poutine", "vladimir-putin"), ("Шойг", None), ("obrazts", "pyotr-obraztsov"),
    ("Андрей Руденко", "andrei-rudenko"), ("Putn", None),
])
def test_speakers_q_finds_names_by_part_in_any_script(get_json, q, slug):
    slugs = {s["slug"] for s in get_json(f"/speakers?q={quote(q)}&limit=100")["data"]}
    assert (slug in slugs) if slug else slug not in slugs


def test_search_page_resolves_through_the_ladder(client):
    page = client.get(f"/ui/search?q={quote('Президент Путин')}").get_data(as_text=True)
    assert "/ui/speakers/vladimir-putin" in page


# --- the index follows every write ----------------------------------------------------------

def keys_of(slug):
    speaker = Speaker.get(Speaker.slug == slug)
    return {(k.step, k.key) for k in SpeakerKey.select().where(SpeakerKey.speaker == speaker)}


def test_the_index_follows_writes(editor):
    response = editor.post("/speakers", {"slug": "sergey-shoygu", "name": "Сергей Шойгу",
                                         "kind": "person", "country": "RU"})
    assert response.status_code == 201, response.get_json()
    for spelling in ("Sergei Shoigu", "Choïgou", "Schoigu", "Shoygu Sergey"):
        matched = editor.get(f"/quotes?speaker={quote(spelling)}").get_json()["meta"]["speakers"]
        assert [m["speaker"]["slug"] for m in matched] == ["sergey-shoygu"], spelling
    etag = editor.etag("/speakers/sergey-shoygu")
    assert editor.post("/speakers/sergey-shoygu/aliases", {"name": "Il Generale"},
                       etag=etag).status_code == 201
    assert ("token", "generale") in keys_of("sergey-shoygu")
    speaker = editor.get("/speakers/sergey-shoygu").get_json()
    alias_id = speaker["aliases"][0]["id"]
    assert editor.delete(f"/speakers/sergey-shoygu/aliases/{alias_id}",
                         etag=editor.etag("/speakers/sergey-shoygu")).status_code == 204
    assert ("token", "generale") not in keys_of("sergey-shoygu")
    assert editor.patch("/speakers/sergey-shoygu", {"name": "Moon Jae-in"},
                        etag=editor.etag("/speakers/sergey-shoygu")).status_code == 200
    matched = editor.get(f"/quotes?speaker={quote('문재인')}").get_json()["meta"]["speakers"]
    assert [(m["speaker"]["slug"], m["matched_by"]) for m in matched] == [
        ("sergey-shoygu", "transliteration")]
    assert ("token", "шойгу") not in keys_of("sergey-shoygu")


def test_a_rebuilt_index_equals_the_maintained_one(editor):
    before = set(SpeakerKey.select(SpeakerKey.speaker, SpeakerKey.form, SpeakerKey.step,
                                   SpeakerKey.key, SpeakerKey.size).tuples())
    identity.reindex_all()
    after = set(SpeakerKey.select(SpeakerKey.speaker, SpeakerKey.form, SpeakerKey.step,
                                  SpeakerKey.key, SpeakerKey.size).tuples())
    assert before and before == after


# --- names in writes ------------------------------------------------------------------------

def quote_body(speaker, text="Nous sommes venus ici."):
    return {"text": text, "speaker": speaker, "source": 1, "kind": "direct"}


def a_source(editor):
    response = editor.post("/sources", {"slug": "identity-source", "kind": "article"})
    if response.status_code == 409:
        sources = editor.get("/sources?limit=100").get_json()["data"]
        return next(s["id"] for s in sources if s["slug"] == "identity-source")
    return response.get_json()["id"]


def test_a_quote_speaker_may_be_a_name(editor):
    source = a_source(editor)
    response = editor.post("/quotes", {**quote_body("Mme Fauxnom"), "source": source})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["speaker"]["slug"] == "elise-fauxnom"


@pytest.mark.parametrize(("name", "says"), [
    ("Bob", ["bob-hostile", "bob-example", "several"]),
    ("Fauxnon", ["Did you mean", "elise-fauxnom"]),  # similar is never taken in a write
    ("Nobody Atall", ["No speaker named"]),
])
def test_a_name_that_is_not_one_speaker_is_a_422(editor, name, says):
    response = editor.post("/quotes", {**quote_body(name), "source": a_source(editor)})
    assert response.status_code == 422
    (message,) = response.get_json()["errors"]["speaker"]
    assert all(word in message for word in says), message


# --- imports --------------------------------------------------------------------------------

@pytest.fixture
def fresh(new_database_url):
    app = create_app({"TESTING": True, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
    db.connect()
    yield app
    db.close()


def imported(text, format_name, **options):
    return import_stream(io.StringIO(text), format_name, "test", skip_invalid=True, **options)


def test_an_import_lands_on_the_existing_speaker_by_another_spelling(fresh):
    Speaker.create(slug="vladimir-putin", name="Vladimir Putin", key="vladimir putin",
                   kind="person")
    identity.index_speakers([s.id for s in Speaker.select()])
    liar2 = (LIAR2_HEADER + '1,1,"A claim by Putin.","March 3, 2015",,"Путин, Владимир",,,'
             '0,0,0,0,0,0,,\n')
    assert imported(liar2, "liar2").created["claims"] == 1
    assert [s.slug for s in Speaker.select()] == ["vladimir-putin"]


LIAR2_HEADER = ("id,label,statement,date,subject,speaker,speaker_description,state_info,"
                "true_counts,mostly_true_counts,half_true_counts,mostly_false_counts,"
                "false_counts,pants_on_fire_counts,context,justification\n")
LIAR2_TRUMP = LIAR2_HEADER + (
    '7,1,"Windmills cause cancer.","April 2, 2019",energy,donald trump,,,0,0,0,0,0,0,,\n'
    '8,4,"The economy grew.","May 2, 2019",economy,donald trump jr.,,,0,0,0,0,0,0,,\n')
CLEF_TRUMP = ("1\tCLINTON\tWe need jobs.\t-\t-\t-\n"
              "2\tTRUMP\tOur jobs are fleeing the country.\t1\tJobs are fleeing the US.\tFALSE\n")


def trump_claims(client):
    """The first page's body, and the slugs of the speakers whose claims every page holds."""
    first = body = client.get("/claims?speaker=Trump&limit=100").get_json()
    slugs = set()
    while True:
        slugs |= {p["speaker"]["slug"] for c in body["data"] for p in c["speaker_positions"]}
        if not body["links"]["next"]:
            return first, slugs
        body = client.get(body["links"]["next"]).get_json()


def import_the_trumps(liar2_text, clef_text, clef_name):
    imported(liar2_text, "liar2")
    imported(clef_text, "clef", name=clef_name)
    imported(CLAIMREVIEW_TRUMP.read_text(encoding="utf-8"), "claimreview")


def merge_them_all(client, token):
    """Merge every Trump speaker that is Donald Trump into one; the old slugs redirect."""
    speakers = {s.name: s.slug for s in Speaker.select()
                if "trump" in s.key and s.key != "donald trump jr"}
    into = speakers.pop("donald trump")
    for slug in speakers.values():
        response = client.post(f"/speakers/{slug}/merge", json={"into": into},
                               headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.get_json()
    return into, list(speakers.values())


def check_trump_before_and_after_merging(app):
    from service.auth import create_token

    client = app.test_client()
    body, speakers = trump_claims(client)
    matched = body["meta"]["speakers"]
    names = {m["speaker"]["name"] for m in matched}
    assert {"donald trump", "TRUMP", "Donald J. Trump"} <= names
    assert all(m["ambiguous"] for m in matched)
    assert {"donald-trump", "trump", "donald-j-trump"} <= speakers  # claims of each of them
    token, _ = create_token("merger", "admin")
    into, merged = merge_them_all(client, token)
    body, speakers = trump_claims(client)
    assert "donald trump" in {m["speaker"]["name"] for m in body["meta"]["speakers"]}
    assert not set(merged) & {m["speaker"]["slug"] for m in body["meta"]["speakers"]}
    for slug in merged:
        response = client.get(f"/speakers/{slug}")
        assert response.status_code == 308
        assert response.headers["Location"] == f"/speakers/{into}"
    aliases = {a.name for a in Alias.select().join(Speaker).where(Speaker.slug == into)}
    assert {"TRUMP", "Donald J. Trump"} <= aliases


def test_trump_is_ambiguous_until_merged_small_fixtures(fresh):
    import_the_trumps(LIAR2_TRUMP, CLEF_TRUMP, "Task2-English-Fixture-Debate.tsv")
    check_trump_before_and_after_merging(fresh)


def test_claims_search_finds_the_claims_of_the_claimant_a_query_names(fresh):
    import_the_trumps(LIAR2_TRUMP, CLEF_TRUMP, "Task2-English-Fixture-Debate.tsv")
    client = fresh.test_client()
    body = client.get("/v1alpha1/claims:search?query=Donald%20J.%20Trump").get_json()
    assert [c["text"] for c in body["claims"]] == ["The noise of windmills causes cancer"]
    assert body["claims"][0]["claimant"] == "Donald J. Trump"
    words = client.get("/v1alpha1/claims:search?query=windmills").get_json()["claims"]
    assert {c["text"] for c in words} == {"Windmills cause cancer.",
                                         "The noise of windmills causes cancer"}


def _liar2_rows_about(text, needle, also=100):
    """LIAR2's header, its first `also` rows and every row whose speaker holds `needle`."""
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    column = header.index("speaker")
    kept = body[:also] + [r for r in body[also:] if needle in r[column].lower()]
    out = io.StringIO()
    csv.writer(out).writerows([header, *kept])
    return out.getvalue()


@pytest.mark.skipif(not (LIAR2.exists() and CLEF.exists()),
                    reason="../shared/data (LIAR2, CLEF-2018) is absent")
def test_trump_is_ambiguous_until_merged_shared_data(fresh):
    """LIAR2 (its first 100 rows and every Trump row), a CLEF-2018 debate and a ClaimReview
    give three Trump speakers; `speaker=Trump` finds them all, ambiguous, until merged."""
    liar2 = _liar2_rows_about(LIAR2.read_text(encoding="utf-8"), "trump")
    import_the_trumps(liar2, CLEF.read_text(encoding="utf-8"), CLEF.name)
    check_trump_before_and_after_merging(fresh)


# --- merging --------------------------------------------------------------------------------

def new_speaker(editor, slug, name, **fields):
    response = editor.post("/speakers", {"slug": slug, "name": name, "kind": "person",
                                         **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_merge_moves_everything_in_one_go_and_the_old_slug_redirects(editor, tokens):
    new_speaker(editor, "ada-twice", "Ada Twice", wikidata_id="Q99990001")
    old = new_speaker(editor, "ada-once", "Ada Once")
    source = a_source(editor)
    said = editor.post("/quotes", {**quote_body("ada-once", "Ada spoke."), "source": source})
    assert said.status_code == 201, said.get_json()
    assert editor.post("/speakers/ada-once/aliases", {"name": "A. Once", "lang": "en"},
                       etag=editor.etag("/speakers/ada-once")).status_code == 201
    refused = editor.post("/speakers/ada-once/merge", {"into": "ada-twice"})
    assert refused.status_code == 403  # an editor is not enough
    merged = editor.post("/speakers/ada-once/merge", {"into": "ada-twice"},
                         token=tokens["admin"])
    assert merged.status_code == 200, merged.get_json()
    body = merged.get_json()
    assert body["slug"] == "ada-twice" and body["counts"]["quotes"] == 1
    assert {a["name"] for a in body["aliases"]} == {"Ada Once", "A. Once"}
    moved = editor.get("/speakers/ada-once")
    assert moved.status_code == 308 and moved.headers["Location"] == "/speakers/ada-twice"
    assert moved.headers["Content-Type"] == "application/problem+json"
    page = editor.get("/ui/speakers/ada-once")
    assert page.status_code == 308 and page.headers["Location"] == "/ui/speakers/ada-twice"
    assert editor.get(f"/quotes/{said.get_json()['id']}").get_json()["speaker"]["slug"] == \
        "ada-twice"
    matched = editor.get("/quotes?speaker=ada-once").get_json()["meta"]["speakers"]
    assert [(m["speaker"]["slug"], m["matched_by"]) for m in matched] == [("ada-twice", "slug")]
    history = editor.get("/speakers/ada-twice/history").get_json()["data"]
    assert history[-1]["fields"]["merged"] == [None, "ada-once"]
    gone = [c for c in editor.get("/changes?resource=speaker&limit=100").get_json()["data"]
            if c["resource_id"] == old["id"]]
    assert gone[-1]["action"] == "delete"
    assert gone[-1]["fields"]["merged_into"] == [None, "ada-twice"]


def test_a_merge_writes_history_rows_in_the_api_shape(editor, tokens):
    """A merge's history rows come from the write core, as the API's: the alias made from
    the merged speaker's name and the aliases it moves are parts of their speaker (with
    their parent), and every row has the same keys as the API's rows."""
    into = new_speaker(editor, "cleo-kept", "Cleo Kept")
    old = new_speaker(editor, "cleo-gone", "Cleo Gone")
    assert editor.post("/speakers/cleo-kept/aliases", {"name": "C. Kept", "lang": "en"},
                       etag=editor.etag("/speakers/cleo-kept")).status_code == 201
    assert editor.post("/speakers/cleo-gone/aliases", {"name": "C. Gone", "lang": "fr"},
                       etag=editor.etag("/speakers/cleo-gone")).status_code == 201
    before = editor.get("/speakers/cleo-kept/history?limit=100").get_json()["data"]
    posted = next(c for c in before if c["resource"] == "alias" and c["action"] == "create")
    assert editor.post("/speakers/cleo-gone/merge", {"into": "cleo-kept"},
                       token=tokens["admin"]).status_code == 200
    history = editor.get("/speakers/cleo-kept/history?limit=100").get_json()["data"]
    merged = history[len(before):]
    assert merged, history
    for change in merged:
        assert set(change) == set(posted)
    assert len({c["token"] for c in merged}) == 1  # the admin's
    made = [c for c in merged if c["resource"] == "alias" and c["action"] == "create"]
    assert [c["fields"]["name"] for c in made] == [[None, "Cleo Gone"]]
    assert set(made[0]["fields"]) == set(posted["fields"])
    moved = [c for c in merged if c["resource"] == "alias" and c["action"] == "update"]
    assert [c["fields"]["speaker"] for c in moved] == [[old["id"], into["id"]]]
    for change in made + moved:
        assert change["parent"] == posted["parent"] == {"resource": "speaker",
                                                         "id": into["id"]}
    assert merged[-1]["resource"] == "speaker" and merged[-1]["parent"] is None
    assert merged[-1]["fields"]["merged"] == [None, "cleo-gone"]


def test_merge_keeps_one_stance_where_both_took_the_same_position(editor, tokens):
    new_speaker(editor, "ben-one", "Ben One")
    new_speaker(editor, "ben-two", "Ben Two")
    claim = editor.post("/claims", {"text": "Ben says so."}).get_json()["id"]
    for slug in ("ben-one", "ben-two"):
        response = editor.post(f"/claims/{claim}/stances", {"speaker": slug,
                                                             "position": "asserts"})
        assert response.status_code == 201, response.get_json()
    assert editor.post("/speakers/ben-one/merge", {"into": "ben-two"},
                       token=tokens["admin"]).status_code == 200
    stances = editor.get(f"/claims/{claim}").get_json()["stances"]["asserts"]
    assert [s["speaker"]["slug"] for s in stances] == ["ben-two"]


@pytest.mark.parametrize(("slug", "into", "status"), [
    ("bob-example", "bob-example", 422),  # into itself
    ("bob-example", "nobody-here", 422),
    ("nobody-here", "bob-example", 404),
    ("bob-example", "Not A Slug", 422),
])
def test_merge_refusals(editor, tokens, slug, into, status):
    response = editor.post(f"/speakers/{slug}/merge", {"into": into}, token=tokens["admin"])
    assert response.status_code == status, response.get_json()
    assert response.headers["Content-Type"] == "application/problem+json"


def test_cli_lists_likely_duplicates_and_merges(write_app, editor):
    new_speaker(editor, "cleo-north", "Cleo Northcote")
    new_speaker(editor, "cleo-north-2", "CLEO NORTHCOTE")
    runner = write_app.test_cli_runner()
    listed = runner.invoke(args=["speakers", "duplicates"])
    assert listed.exit_code == 0, listed.output
    assert any("cleo-north\t" in line and "cleo-north-2\t" in line
               for line in listed.output.splitlines()), listed.output
    merged = runner.invoke(args=["speakers", "merge", "cleo-north-2", "cleo-north"])
    assert merged.exit_code == 0, merged.output
    assert editor.get("/speakers/cleo-north-2").status_code == 308
    again = runner.invoke(args=["speakers", "merge", "nobody-here", "cleo-north"])
    assert again.exit_code != 0 and "no speaker with slug 'nobody-here'" in again.output


def test_migration_0008_indexes_the_speakers_already_there(new_database_url):
    from playhouse.migrations import Runner

    from service.config import MIGRATIONS_DIR

    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        earlier = sorted(p.stem for p in MIGRATIONS_DIR.glob("[0-9]*.py") if p.stem < "0008")
        Runner(db, str(MIGRATIONS_DIR)).up(earlier[-1])
        db.execute_sql("INSERT INTO speaker (slug, name, key, kind) "
                       "VALUES ('early-bird', 'Early Bird', 'early bird', 'person')")
        assert "0008_speaker_identity" in migrate(db)
        matches = identity.resolve("Bird Early").matches
    assert [(m.speaker.slug, m.matched_by) for m in matches] == [("early-bird", "tokens")]
