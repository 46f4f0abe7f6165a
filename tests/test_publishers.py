"""Publishers: one canonical organisation per fact-checker, whatever the spelling."""

import pytest
from playhouse.migrations import Runner

from service import create_app
from service.config import MIGRATIONS_DIR
from service.db import bind
from service.db import migrate
from service.models import Publisher
from service.models import Review
from service.publishers import canonical_publisher
from service.publishers import domain_of
from service.publishers import publisher_key


@pytest.mark.parametrize(("name", "url"), [
    ("politifact", None), ("PolitiFact", None), ("politifact.com", None),
    ("POLITIFACT.COM", None), ("PolitiFact.com", "https://www.politifact.com/x"),
    ("Louis Jacobson for PolitiFact", "https://www.politifact.com/factchecks/2024/x/"),
    ("PolitiFact", "https://example.org/elsewhere"),
])
def test_every_spelling_names_one_publisher(db, name, url):
    assert canonical_publisher(name, url).slug == "politifact"


def test_an_unknown_publisher_is_created_once_named_as_published(db):
    first = canonical_publisher("Zorblax Vérifie")
    assert (first.slug, first.name) == ("zorblax-verifie", "Zorblax Vérifie")
    assert canonical_publisher("ZORBLAX verifie!").id == first.id
    assert canonical_publisher("Zorblax Verifie", "https://zorblax.example/1").id == first.id


def test_a_name_matched_by_domain_becomes_an_alias(db):
    found = canonical_publisher("Snopes Staff", "https://www.snopes.com/fact-check/x/")
    assert found.slug == "snopes"
    assert canonical_publisher("Snopes Staff").slug == "snopes"  # now by its alias


def test_keys_ignore_case_accents_and_punctuation():
    assert publisher_key("Full-Fact") == publisher_key("full fact") == "fullfact"


@pytest.mark.parametrize(("value", "domain"), [
    ("politifact.com", "politifact.com"), ("https://www.PolitiFact.com/x", "politifact.com"),
    ("http://[x/", None), ("PolitiFact", None), ("", None), (None, None),
])
def test_domain_of(value, domain):
    assert domain_of(value) == domain


def test_publishers_over_http(get_json, client):
    listed = get_json("/publishers", query_string={"limit": 100})["data"]
    politifact = next(p for p in listed if p["slug"] == "politifact")
    assert politifact["name"] == "PolitiFact" and politifact["domain"] == "politifact.com"
    assert politifact["country"] == "US" and "politifactcom" in politifact["aliases"]
    assert [p["slug"] for p in listed] == sorted(p["slug"] for p in listed)
    assert get_json("/publishers/full-fact")["name"] == "Full Fact"
    found = get_json("/publishers", query_string={"q": "www.politifact.com"})["data"]
    assert [p["slug"] for p in found] == ["politifact"]
    missing = client.get("/publishers/nobody-zz")
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"


def test_reviews_say_their_publisher_and_it_counts_them(get_json):
    claims = get_json("/claims", query_string={"reviewed": "true", "limit": 100})["data"]
    review = next(r for c in claims for r in c["reviews"])
    assert review["publisher_slug"]
    publisher = get_json(f"/publishers/{review['publisher_slug']}")
    assert publisher["reviews"] >= 1


def test_the_migration_maps_existing_reviews(new_database_url):
    app = create_app({"DATABASE_POOL": False, "DATABASE_URL": new_database_url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        Runner(db, str(MIGRATIONS_DIR)).up("0006_status_order")
        db.execute_sql("INSERT INTO claim (text, status, version) "
                       "VALUES ('Early claim', 'unattributed', 1)")
        for name in ("politifact", "Early Checks"):
            db.execute_sql("INSERT INTO review (claim_id, publisher) "
                           f"SELECT id, '{name}' FROM claim")
        migrate(db)
        mapped = {r.publisher: r.canonical.slug for r in Review.select()}
        assert mapped == {"politifact": "politifact", "Early Checks": "early-checks"}
        assert Publisher.select().count() > 10  # the known ones and the new one
