"""Response examples of the OpenAPI document: real responses of the seeded database.

Each example is the body Claimbase gives for one request, replayed in order on a new
database holding only the seeds, with an editor token. `python -m service.examples`
regenerates the files; a test replays the requests and checks that the answers still equal
the files (times of day masked), so the documentation cannot drift from the behaviour.
"""

import json
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

HERE = Path(__file__).resolve().parent
EXAMPLE_TOKEN_NAME = "newsroom-editor"


@dataclass(frozen=True)
class ExampleRequest:
    method: str
    path: str
    body: dict | None = None
    token: bool = False
    headers: dict = field(default_factory=dict)


# Replayed in this order: the writes at the end see the data as the reads left it.
REQUESTS = {
    "speakers-list": ExampleRequest("GET", "/speakers?kind=person&limit=2"),
    "speaker": ExampleRequest("GET", "/speakers/vladimir-putin"),
    "sources-list": ExampleRequest("GET", "/sources?limit=1"),
    "source": ExampleRequest("GET", "/sources/1"),
    "quotes-list": ExampleRequest("GET", "/quotes?speaker=Kim%20Jong%20Un&limit=2"),
    "quote": ExampleRequest("GET", "/quotes/1"),
    "claims-list": ExampleRequest("GET", "/claims?speaker=%C3%89tats-Unis&limit=1"),
    "claim": ExampleRequest("GET", "/claims/1"),
    "topics-list": ExampleRequest("GET", "/topics?limit=3"),
    "topic": ExampleRequest("GET", "/topics/arms-trade"),
    "unmatched-speaker": ExampleRequest("GET", "/claims?speaker=Putim"),
    "problem-400": ExampleRequest("GET", "/claims?limit=1000&colour=red"),
    "problem-404": ExampleRequest("GET", "/claims/424242"),
    "problem-401": ExampleRequest("POST", "/claims", {"text": "A claim.", "lang": "en"}),
    "problem-403": ExampleRequest("DELETE", "/topics/arms-trade", token=True,
                                  headers={"If-Match": '"topic-1-v1"'}),
    "problem-428": ExampleRequest("PATCH", "/claims/1", {"lang": "en"}, token=True),
    "problem-412": ExampleRequest("PATCH", "/claims/1", {"lang": "en"}, token=True,
                                  headers={"If-Match": '"claim-1-v0"'}),
    "problem-409": ExampleRequest("POST", "/speakers", token=True, body={
        "slug": "vladimir-putin", "name": "Vladimir Putin", "kind": "person"}),
    "problem-422": ExampleRequest("POST", "/quotes", token=True, body={
        "text": "Nous n’avons jamais dit cela", "kind": "direct", "lang": "fr",
        "speaker": "vladimir-putin", "source": 1}),
    "problem-415": ExampleRequest("POST", "/imports?format=claimskg", token=True,
                                  body={"@type": "ClaimReview"}),
    "claim-updated": ExampleRequest("PATCH", "/claims/2", token=True,
                                    headers={"If-Match": '"claim-2-v1"'}, body={"text": (
        "An arms deal between North Korea and Russia would violate international sanctions "
        "that Russia itself has supported.")}),
    "claim-history": ExampleRequest("GET", "/claims/2/history"),
    "claims-similar": ExampleRequest(
        "GET", "/claims/similar?text=North%20Korea%20is%20selling%20arms%20to%20Russia!%20"
        "https%3A%2F%2Ft.co%2Fx%20%E2%80%94%20Jo%20(%40jo)%20May%201%2C%202024&limit=1"),
    "import-report": ExampleRequest("POST", "/imports?format=claimreview", token=True, body={
        "@context": "https://schema.org", "@type": "ClaimReview",
        "url": "https://factcheck.example.org/2023/09/exampleville-crime",
        "datePublished": "2023-09-14", "inLanguage": "en",
        "claimReviewed": "Exampleville’s crime rate has doubled since 2021",
        "author": {"@type": "Organization", "name": "Example Fact Check"},
        "reviewRating": {"@type": "Rating", "alternateName": "Mostly false",
                         "ratingExplanation": "Recorded crime rose 12%, not 100%."},
        "itemReviewed": {"@type": "Claim", "datePublished": "2023-09-12",
                         "author": {"@type": "Person", "name": "Jane Roe",
                                    "sameAs": "https://www.wikidata.org/wiki/Q4115189"},
                         "firstAppearance": {"@type": "CreativeWork",
                                             "url": "https://news.example.com/2023/09/12/"}}}),
    "claim-jsonld": ExampleRequest("GET", "/claims/19.jsonld"),
    "changes": ExampleRequest("GET", "/changes?limit=1"),
    "publishers-list": ExampleRequest("GET", "/publishers?limit=2"),
    "publisher": ExampleRequest("GET", "/publishers/politifact"),
    "reviews-report": ExampleRequest("GET", "/reviews.jsonld/report"),
}


def example(name):
    """The stored response body of one example request (see REQUESTS); None before the first
    `python -m service.examples` (a test fails then)."""
    path = HERE / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def long_text_elided(body):
    """A source's full text is long: the documented example keeps its beginning only."""
    if isinstance(body, dict) and isinstance(body.get("text"), str) and len(body["text"]) > 200:
        body = {**body, "text": body["text"][:200] + "…"}
    return body


def current_examples(client, token):
    """{name: body} as the API answers now, replaying REQUESTS through a Flask test client."""
    answers = {}
    for name, request in REQUESTS.items():
        headers = dict(request.headers)
        if request.token:
            headers["Authorization"] = f"Bearer {token}"
        response = client.open(request.path, method=request.method, json=request.body,
                               headers=headers)
        answers[name] = long_text_elided(response.get_json())
    return answers
