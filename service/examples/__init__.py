"""Response examples of the OpenAPI document: real responses of the seeded database.

Each example is the body Claimbase gives for one request on a database holding only the
seeds. `python -m service.examples` regenerates the files; a test checks that they still
equal what the API answers, so the documentation cannot drift from the behaviour.
"""

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent

REQUESTS = {
    "speakers-list": "/speakers?kind=person&limit=2",
    "speaker": "/speakers/vladimir-putin",
    "sources-list": "/sources?limit=1",
    "quotes-list": "/quotes?speaker=Kim%20Jong%20Un&limit=2",
    "quote": "/quotes/1",
    "source": "/sources/1",
    "claims-list": "/claims?speaker=%C3%89tats-Unis&limit=1",
    "claim": "/claims/1",
    "topics-list": "/topics?limit=3",
    "unmatched-speaker": "/claims?speaker=Poutin",
    "problem-400": "/claims?limit=1000&colour=red",
    "problem-404": "/claims/424242",
}


def example(name):
    """The stored response body of one example request (see REQUESTS); None before the first
    `python -m service.examples` (a test fails then)."""
    path = HERE / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def long_text_elided(body):
    """A source's full text is long: the documented example keeps its beginning only."""
    if isinstance(body.get("text"), str) and len(body["text"]) > 200:
        body = {**body, "text": body["text"][:200] + "…"}
    return body


def current_examples(client):
    """{name: body} as the API answers now, through a Flask test client."""
    return {name: long_text_elided(client.get(path).get_json()) for name, path in REQUESTS.items()}
