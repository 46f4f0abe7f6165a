"""Publishers: the fact-checking organisations behind reviews, one row each whatever the
spelling ("politifact", "PolitiFact", "politifact.com" and a review on www.politifact.com
are one publisher).

A review keeps its publisher's name as published (`review.publisher`) and points to the
canonical publisher (`review.publisher_id`), set by `with_canonical_publisher` on every write
path. A name is matched by its key (letters and digits, case and accents folded: its alias),
then as a domain, then by the domain of the review's URL; an unknown name becomes a new
publisher named as published. KNOWN holds the organisations Claimbase knows from the start
(migration 0009 adds them). Each detail was checked against a public source, listed in
docs/publishers.md; a detail that could not be checked is left empty, never guessed.
"""

import re
from urllib.parse import urlparse

from .models import Publisher
from .models import PublisherAlias
from .models import Review
from .text import name_key
from .text import slugify

KNOWN = (
    {"slug": "politifact", "name": "PolitiFact", "url": "https://www.politifact.com/",
     "domain": "politifact.com", "country": "US", "languages": ["en"],
     "aliases": ["politifact", "politifact.com", "PolitiFact.com"]},
    {"slug": "snopes", "name": "Snopes", "url": "https://www.snopes.com/",
     "domain": "snopes.com", "country": "US", "languages": ["en"],
     "aliases": ["snopes", "snopes.com", "Snopes.com"]},
    {"slug": "full-fact", "name": "Full Fact", "url": "https://fullfact.org/",
     "domain": "fullfact.org", "country": "GB", "languages": ["en"],
     "aliases": ["fullfact", "fullfact.org"]},
    {"slug": "afp-fact-check", "name": "AFP Fact Check", "url": "https://factcheck.afp.com/",
     "domain": "factcheck.afp.com", "country": "FR", "languages": ["en"],
     "aliases": ["factcheck_afp", "afpfactcheck", "AFP"]},
    {"slug": "afp-factuel", "name": "AFP Factuel", "url": "https://factuel.afp.com/",
     "domain": "factuel.afp.com", "country": "FR", "languages": ["fr"],
     "aliases": ["factuel_afp_fr", "factuel afp"]},
    {"slug": "africa-check", "name": "Africa Check", "url": "https://africacheck.org/",
     "domain": "africacheck.org", "country": "ZA", "languages": ["en", "fr"],
     "aliases": ["africacheck", "africacheck.org"]},
    {"slug": "aap-factcheck", "name": "AAP FactCheck", "url": "https://www.aap.com.au/factcheck/",
     "domain": "aap.com.au", "country": "AU", "languages": ["en"],
     "aliases": ["aap", "factcheck_aap", "AAP Fact Check"]},
    {"slug": "check-your-fact", "name": "Check Your Fact", "url": "https://checkyourfact.com/",
     "domain": "checkyourfact.com", "country": "US", "languages": ["en"],
     "aliases": ["checkyourfact", "checkyourfact.com"]},
    {"slug": "vishvas-news", "name": "Vishvas News", "url": "https://www.vishvasnews.com/",
     "domain": "vishvasnews.com", "country": "IN", "languages": ["hi", "en"],
     "aliases": ["vishvasnews", "vishvasnews.com"]},
    {"slug": "fatabyyano", "name": "Fatabyyano", "url": "https://fatabyyano.net/",
     "domain": "fatabyyano.net", "country": "JO", "languages": ["ar"],
     "aliases": ["fatabyyano", "fatabyyano.net"]},
    {"slug": "truthorfiction", "name": "TruthOrFiction", "url": "https://www.truthorfiction.com/",
     "domain": "truthorfiction.com", "country": "US", "languages": ["en"],
     "aliases": ["truthorfiction", "truthorfiction.com", "Truth or Fiction"]},
)
_DOMAIN = re.compile(r"^(?:[a-z0-9-]+\.)+[a-z]{2,}$")


def publisher_key(name):
    """The alias key of a publisher's name: 'Full Fact', 'fullfact' and 'FULL-FACT' are one."""
    return name_key(name or "").replace(" ", "")


def domain_of(value):
    """The host a name or URL spells ('politifact.com', 'https://www.politifact.com/x'), without
    'www.', or None."""
    value = (value or "").strip().lower()
    try:
        host = urlparse(value).hostname if "://" in value else value.split("/")[0]
    except ValueError:  # e.g. 'http://[x': no host to read
        return None
    host = (host or "").removeprefix("www.")
    return host if _DOMAIN.match(host) else None


def _by_domain(domain):
    """The publisher whose domain is this host or a parent of it."""
    if not domain:
        return None
    parts = domain.split(".")
    candidates = [".".join(parts[i:]) for i in range(len(parts) - 1)]
    found = {p.domain: p for p in Publisher.select().where(Publisher.domain.in_(candidates))}
    return next((found[c] for c in candidates if c in found), None)


def find_publishers(value):
    """The publishers a `publisher=` value names: by slug, alias key or domain."""
    key = publisher_key(value)
    by_alias = PublisherAlias.select(PublisherAlias.publisher).where(PublisherAlias.key == key)
    condition = (Publisher.slug == value.strip().lower()) | Publisher.id.in_(by_alias)
    found = list(Publisher.select().where(condition))
    domain_match = _by_domain(domain_of(value))
    if domain_match and domain_match not in found:
        found.append(domain_match)
    return found


def canonical_publisher(name, url=None):
    """The publisher a review's publisher name (and URL) names, created when unknown."""
    key = publisher_key(name)
    alias = PublisherAlias.get_or_none(PublisherAlias.key == key) if key else None
    if alias is not None:
        return alias.publisher
    found = _by_domain(domain_of(name)) or _by_domain(domain_of(url))
    if found is not None:
        if key:
            PublisherAlias.create(publisher=found, key=key)
        return found
    return _create(name, key)


def _create(name, key):
    slug = base = slugify(name) or "publisher"
    number = 1
    while Publisher.select().where(Publisher.slug == slug).exists():
        number += 1
        slug = f"{base}-{number}"
    publisher = Publisher.create(slug=slug, name=name.strip(), domain=None)
    if key:
        PublisherAlias.create(publisher=publisher, key=key)
    return publisher


def with_canonical_publisher(data, known=None):
    """A review's values with the canonical publisher they name (every write path calls it).

    `known` (a dict an import keeps for one transaction) remembers alias key → publisher id:
    after a first call a key always has its alias, so later calls with that key need no
    statement. Imports map thousands of reviews to a few publishers."""
    if not data.get("publisher"):
        return data
    key = publisher_key(data["publisher"])
    if known is not None and key and key in known:
        return {**data, "canonical": known[key]}
    publisher = canonical_publisher(data["publisher"], data.get("url"))
    if known is not None and key:
        known[key] = publisher.id
    return {**data, "canonical": publisher.id}


def add_known():
    """Create the KNOWN publishers and their aliases (once; migration 0009)."""
    for known in KNOWN:
        details = {k: v for k, v in known.items() if k != "aliases"}
        details["languages"] = ",".join(details["languages"])
        publisher = Publisher.get_or_none(Publisher.slug == known["slug"]) or \
            Publisher.create(**details)
        for name in (known["name"], *known["aliases"]):
            key = publisher_key(name)
            if not PublisherAlias.select().where(PublisherAlias.key == key).exists():
                PublisherAlias.create(publisher=publisher, key=key)


def map_existing_reviews():
    """Point every review without a canonical publisher to one (migration 0009)."""
    pending = (Review.select(Review.publisher, Review.url).where(Review.canonical.is_null())
               .distinct().tuples())
    for name, url in list(pending):
        publisher = canonical_publisher(name, url)
        Review.update(canonical=publisher).where(
            (Review.publisher == name) & Review.canonical.is_null()
            & ((Review.url == url) if url is not None else Review.url.is_null())).execute()
