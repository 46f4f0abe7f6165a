"""bench/generate.py: deterministic NDJSON data sets in the shapes of docs/import-pipeline.md.

Pure tests: files only, no database.
"""

import importlib.util
import json
import re
import statistics
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("bench_generate", ROOT / "bench" / "generate.py")
generator = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(generator)

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
DATE = re.compile(r"^20(1[5-9]|2[0-4])-\d\d-\d\d$")
FIELDS = {
    "topics": {"slug", "name"},
    "speakers": {"slug", "name", "kind", "country", "description", "wikidata_id", "aliases"},
    "sources": {"slug", "kind", "title", "publisher", "url", "lang", "published_on", "text"},
    "quotes": {"text", "lang", "kind", "said_on", "context", "speaker", "via", "source",
               "text_position"},
    "claims": {"text", "lang", "first_seen", "topics", "stances", "reviews", "appearances"},
}
STANCE_FIELDS = {"speaker", "quote", "source", "stated_on"}
REVIEW_FIELDS = {"publisher", "url", "rating_label", "rating", "published_on", "lang", "title",
                 "explanation"}
SPEAKER_KINDS = {"person", "government", "organization", "group", "media"}
SOURCE_KINDS = {"article", "news_agency", "state_media", "press_briefing", "speech",
                "official_document", "broadcast", "social_post"}


def read(directory, name):
    with open(Path(directory) / f"{name}.ndjson", encoding="utf-8") as lines:
        return [json.loads(line) for line in lines]


def stances_of(claim):
    for position, stances in claim["stances"].items():
        for stance in stances:
            yield position, stance


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen300")
    counts = generator.generate(out, 300, 1)
    return out, counts, {name: read(out, name) for name in generator.FILES}


@pytest.fixture(scope="module")
def medium(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen3000")
    generator.generate(out, 3000, 7)
    return {name: read(out, name) for name in generator.FILES}


def test_same_seed_same_bytes_other_seed_other_bytes(small, tmp_path):
    out, _, _ = small
    generator.generate(tmp_path / "again", 300, 1)
    generator.generate(tmp_path / "other", 300, 2)
    for name in generator.FILES:
        first = (out / f"{name}.ndjson").read_bytes()
        assert (tmp_path / "again" / f"{name}.ndjson").read_bytes() == first, name
    assert ((tmp_path / "other" / "quotes.ndjson").read_bytes()
            != (out / "quotes.ndjson").read_bytes())
    assert ((tmp_path / "other" / "speakers.ndjson").read_bytes()
            != (out / "speakers.ndjson").read_bytes())


def test_counts_and_sizes(small):
    _, counts, data = small
    assert {name: len(rows) for name, rows in data.items()} == {
        name: counts[name] for name in generator.FILES}
    assert counts["quotes"] == 300
    assert counts["claims"] == 100
    assert counts["speakers"] >= 10_000
    assert counts["sources"] >= 10
    assert counts["topics"] == 200
    assert counts["stances"] == sum(len(list(stances_of(c))) for c in data["claims"])


def test_lines_have_the_documented_fields(small):
    _, _, data = small
    for name, rows in data.items():
        for row in rows:
            assert set(row) == FIELDS[name], (name, row)
    for speaker in data["speakers"]:
        assert speaker["kind"] in SPEAKER_KINDS
        assert speaker["wikidata_id"] is None
        assert speaker["country"] is None or re.fullmatch(r"[A-Z]{2}", speaker["country"])
        assert all(set(alias) == {"name", "lang"} for alias in speaker["aliases"])
    for source in data["sources"]:
        assert source["kind"] in SOURCE_KINDS
        assert source["text"] is None
        assert source["url"].startswith("https://example.org/")
        assert DATE.match(source["published_on"])
    for quote in data["quotes"]:
        assert quote["kind"] in {"direct", "partial", "indirect"}
        assert quote["text_position"] is None
        assert set(quote["speaker"]) == {"slug"} and set(quote["source"]) == {"slug"}
        assert quote["via"] is None or set(quote["via"]) == {"slug"}
    for claim in data["claims"]:
        assert set(claim["stances"]) == {"asserts", "denies", "questions"}
        assert len(claim["topics"]) <= 3
        for _, stance in stances_of(claim):
            assert set(stance) == STANCE_FIELDS
        for review in claim["reviews"]:
            assert set(review) == REVIEW_FIELDS
            assert review["rating"] is None
        for appearance in claim["appearances"]:
            assert set(appearance) == {"url", "published_on", "first"}


def test_refs_point_at_written_records(small):
    _, _, data = small
    speakers = {s["slug"] for s in data["speakers"]}
    sources = {s["slug"] for s in data["sources"]}
    topics = {t["slug"] for t in data["topics"]}
    for quote in data["quotes"]:
        assert quote["speaker"]["slug"] in speakers
        assert quote["source"]["slug"] in sources
        assert quote["via"] is None or quote["via"]["slug"] in speakers
    for claim in data["claims"]:
        assert {t["slug"] for t in claim["topics"]} <= topics
        for _, stance in stances_of(claim):
            assert stance["speaker"]["slug"] in speakers
            assert stance["source"] is None or stance["source"]["slug"] in sources


def test_slugs_are_valid_and_unique(small):
    _, _, data = small
    for name in ("topics", "speakers", "sources"):
        slugs = [row["slug"] for row in data[name]]
        assert len(set(slugs)) == len(slugs), name
        for slug in slugs:
            assert SLUG.match(slug) and len(slug) <= 120, slug


def test_aliases_have_distinct_name_keys(small):
    _, _, data = small
    with_aliases = [s for s in data["speakers"] if s["aliases"]]
    assert 0.2 < len(with_aliases) / len(data["speakers"]) < 0.45
    langs = Counter(alias["lang"] for s in with_aliases for alias in s["aliases"])
    assert langs["ru"] and langs["ko"]
    for speaker in with_aliases:
        assert 1 <= len(speaker["aliases"]) <= 2
        keys = [generator.name_key(a["name"]) for a in speaker["aliases"]]
        assert len(set(keys)) == len(keys), speaker
    names = [generator.name_key(s["name"]) for s in data["speakers"]]
    assert len(set(names)) == len(names)


def test_quote_natural_keys_and_claim_texts_are_unique(small):
    _, _, data = small
    keys = [(q["source"]["slug"], q["speaker"]["slug"], q["text"]) for q in data["quotes"]]
    assert len(set(keys)) == len(keys)
    claims = [(c["text"], c["lang"]) for c in data["claims"]]
    assert len(set(claims)) == len(claims)


def test_real_typography_in_quotes(medium):
    texts = "".join(q["text"] for q in medium["quotes"])
    for character in ("’", "«", "»", "\u00a0"):
        assert character in texts


def test_stance_quotes_are_earlier_quotes_of_the_same_speaker(medium):
    said = {(q["speaker"]["slug"], q["text"]): q["source"]["slug"] for q in medium["quotes"]}
    quoted = 0
    for claim in medium["claims"]:
        speakers = [stance["speaker"]["slug"] for _, stance in stances_of(claim)]
        assert 1 <= len(speakers) <= 5
        assert len(set(speakers)) == len(speakers), claim
        for _, stance in stances_of(claim):
            if stance["quote"] is not None:
                quoted += 1
                key = (stance["speaker"]["slug"], stance["quote"]["text"])
                assert key in said, stance
                assert stance["source"] == {"slug": said[key]}
    assert quoted > 100


def test_positions_and_reviews_mix(medium):
    claims = medium["claims"]
    positions = Counter(p for claim in claims for p, _ in stances_of(claim))
    assert positions["asserts"] > positions["denies"] > positions["questions"] > 0
    contested = sum(1 for c in claims if c["stances"]["asserts"] and c["stances"]["denies"])
    assert contested > 0.05 * len(claims)
    reviewed = sum(1 for c in claims if c["reviews"])
    assert 0.2 < reviewed / len(claims) < 0.4
    stances = sum(positions.values())
    assert 2.5 < stances / len(claims) < 3.5


def test_speaker_activity_is_zipf(medium):
    stances = Counter(stance["speaker"]["slug"]
                      for claim in medium["claims"] for _, stance in stances_of(claim))
    quotes = Counter(q["speaker"]["slug"] for q in medium["quotes"])
    heaviest, most = stances.most_common(1)[0]
    assert heaviest == "speaker-heavy"
    assert quotes.most_common(1)[0][0] == "speaker-heavy"
    assert most > 50 * statistics.median(stances.values())


def test_named_speakers(medium, small):
    speakers = {s["slug"]: s for s in medium["speakers"]}
    heavy = speakers["speaker-heavy"]
    assert any(a["lang"] == "ru" and re.search("[а-я]", a["name"]) for a in heavy["aliases"])
    assert "speaker-light" in speakers
    light = [stance for claim in medium["claims"] for _, stance in stances_of(claim)
             if stance["speaker"]["slug"] == "speaker-light"]
    assert len(light) == generator.LIGHT_STANCES
    _, counts, data = small
    assert counts["light"] == {"slug": "speaker-light", "stances": generator.LIGHT_STANCES}
    alias = counts["heavy"]["alias"]
    assert alias in [a["name"] for s in data["speakers"] if s["slug"] == "speaker-heavy"
                     for a in s["aliases"]]


def test_tokens_are_distinct_in_every_script():
    for script in ("latin", "cyrillic", "hangul"):
        words = [generator.token(n, script) for n in range(3000)]
        assert len(set(words)) == len(words)
