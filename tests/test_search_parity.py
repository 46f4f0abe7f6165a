"""The same queries over the same data give the same results on SQLite and PostgreSQL."""

import re

import pytest

from service import create_app
from service.db import bind
from service.db import migrate
from service.loader import load_dataset
from service.models import Claim
from service.models import Quote
from tests.conftest import SEED
from tests.conftest import WORLD

CLAIMS = [
    ("fr", "Les satellites d’observation ont été lancés depuis Vostochny."),
    ("fr", "L'artillerie lourde a tiré des obus d'artillerie."),
    ("en", "Two satellites were running out of fuel; the agency runs it."),
    ("es", "Los satélites fueron lanzados por el gobierno y los ministros."),
    ("de", "Die Satelliten wurden von der Regierung gestartet."),
    ("ru", "Россия запустила спутники связи; запуск трёх спутников отложен."),
    ("it", "Le truppe dell’esercito sono arrivate all'aeroporto."),
    (None, "covid-19: politifact.com says 3.5% of e-mails are spam_bots."),
]
QUERIES = [
    "satellite", "satellites", "SATELLITES", "satélite", "artillerie", "d’artillerie",
    "l'artillerie", '"obus d’artillerie"', '"artillerie lourde"', '"lourde artillerie"',
    "inconditio*", "artill*", "-soutien Poutine", "Poutine -soutien", "Poutine Kim",
    "Poutine OR Kim", "Poutine AND Kim", "(Poutine OR Kim) -Corée", "Kim (Corée OR Russie)",
    "NEAR(Poutine Kim)", "NOT Poutine", "спутник", "спутников", "esercito", "dell'esercito",
    "covid-19", "covid", "19", "politifact.com", "e-mails", "spam_bots", "3.5", '"covid 19"',
    "run", "running", "lanzar", "ministros", "Regierung", "États-Unis", "etats unis",
    "Etat membre ONU", '"combat sacré"', "COMBAT SACRE", "a:b", "{text}:x", "x" * 500,
    "a* -b*", "l’", '"', "AND", "*", "NEAR(", "OR", "-", "((", "\\", "'", ":*", "!", "\u200f",
    "🚢", "a OR -b", "-a", "--a b", "()", "a)", 'a "b c', "w " * 40,
]
PATHS = ("/quotes", "/claims", "/sources")


def backend_app(url):
    app = create_app({"TESTING": True, "DATABASE_URL": url})
    db = bind(app.extensions["claimbase.db"])
    with db.connection_context():
        migrate(db)
        load_dataset(SEED)
        load_dataset(WORLD)
        for lang, text in CLAIMS:
            Claim.create(text=text, lang=lang)
    return app


@pytest.fixture(scope="module")
def apps(tmp_path_factory, postgres_databases):
    """The seeds, the fixture world and the claims above on each backend, built alike."""
    sqlite = backend_app(f"sqlite:///{tmp_path_factory.mktemp('parity') / 'claimbase.db'}")
    postgres = backend_app(postgres_databases.create())
    yield sqlite, postgres
    for app in (sqlite, postgres):
        app.extensions["claimbase.db"].close()


def results(app, path, q):
    """(status, sorted ids of every match) for a search, read with the largest pages."""
    bind(app.extensions["claimbase.db"])
    response = app.test_client().get(path, query_string={"q": q, "limit": 100})
    if response.status_code != 200:
        return response.status_code, response.get_json()["detail"]
    body = response.get_json()
    ids = [row["id"] for row in body["data"]]
    while body["links"]["next"]:
        body = app.test_client().get(body["links"]["next"]).get_json()
        ids += [row["id"] for row in body["data"]]
    return 200, sorted(ids)


def data_words(app):
    """Every distinct word of the quotes and claims, in order."""
    bind(app.extensions["claimbase.db"])
    db = app.extensions["claimbase.db"]
    with db.connection_context():
        texts = [t for (t,) in Quote.select(Quote.text).tuples()]
        texts += [t for (t,) in Claim.select(Claim.text).tuples()]
    return sorted({w for t in texts for w in re.findall(r"[^\W_]+", t)})


@pytest.mark.parametrize("path", PATHS)
def test_the_query_corpus_finds_the_same_rows_on_both_backends(apps, path):
    sqlite, postgres = apps
    differences = {q: (results(sqlite, path, q), results(postgres, path, q)) for q in QUERIES}
    differences = {q: pair for q, pair in differences.items() if pair[0] != pair[1]}
    assert differences == {}


def test_the_corpus_finds_something(apps):
    """(So that parity is not two empty lists.)"""
    status, ids = results(apps[0], "/claims", "satellite")
    assert status == 200 and len(ids) >= 3  # fr, en and de (Spanish spells it with one l)
    assert len(results(apps[0], "/quotes", "Poutine OR Kim")[1]) > 5


def test_the_words_of_the_data_find_the_same_rows_on_both_backends(apps):
    sqlite, postgres = apps
    words = data_words(sqlite)[::3]  # a third of them: the suite's time is shared
    assert len(words) > 150
    differences = {}
    for word in words:
        pair = results(sqlite, "/claims", word), results(postgres, "/claims", word)
        if pair[0] != pair[1]:
            differences[word] = pair
    assert differences == {}
