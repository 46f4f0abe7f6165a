"""The speed reference ("the limit"): GET /claims?speaker=… as raw WSGI over plain sqlite3.

Run by hand, never in CI, from the repository root:

    CLAIMBASE_RAW_DB=/path/to/claimbase.db gunicorn -w 2 bench.raw_reference:app

No Flask, no Peewee, no marshmallow: prepared SQL strings (the sqlite3 module caches their
compiled statements), rows turned into dicts in one pass and one json.dumps of the envelope.
Each worker process opens one read-only (PRAGMA query_only) connection on its first request
and keeps it. A page costs six statements whatever its size: the speaker resolution, the
page of claims (through the stance (speaker_id, claim_id) index), then one statement each
for the stances (with speaker, quote, relay and source), topics, reviews and appearances;
a one-word value that matches costs one more (the surname rule, below).

Its answer is byte-identical to Claimbase's for the same request (body and Link header;
`compare` checks it). In scope:

* path `/claims` (or `/claims/`, which Claimbase also serves), method GET or HEAD;
* `speaker=` given once: an id, a slug (stripped, lowercased), a name or an alias (matched
  by their name key), resolved exactly as service/identity.py resolves it — including its
  rule that a one-word value matching someone exactly also names every person bearing that
  word as a name token (a surname alone: then all are marked ambiguous);
* optional `limit` (default 20, 1–100) and `cursor` (Claimbase's opaque cursor); repeated
  `limit`/`cursor` values behave as in Claimbase (the first counts, links keep them all).

Out of scope, answered with a short JSON 404 (Claimbase answers otherwise): other paths,
methods or parameters, several `speaker=` values, a Wikidata id (`Q…`), and a speaker value
that matches nobody exactly (Claimbase climbs the rest of its ladder: tokens,
transliteration, similar spellings, and else answers with `meta.unmatched`). Invalid values
(a bad limit or cursor, an empty or over-long speaker value) are a short JSON 400.
"""

import base64
import binascii
import codecs
import importlib.util
import json
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import parse_qsl
from urllib.parse import quote
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
DB_ENV = "CLAIMBASE_RAW_DB"
DEFAULT_LIMIT = 20  # service/config.py DEFAULT_PAGE_SIZE
MAX_LIMIT = 100  # service/config.py MAX_PAGE_SIZE
MAX_SPEAKER_LENGTH = 200  # schemas/speakers.py speaker_values
MAX_ID = 2**31 - 1  # service/queries.py: larger values are never ids
MAX_SQL_INT = 2**63 - 1
POSITIONS = ("asserts", "denies", "questions")
URL_SAFE = "!$'()*,/:;?@"  # what werkzeug's url_for leaves unquoted in query strings


def _load_name_key():
    """service.text.name_key, loaded from its file (importing `service` builds Flask)."""
    spec = importlib.util.spec_from_file_location("_claimbase_text", ROOT / "service" / "text.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.name_key


name_key = _load_name_key()


def _keep_quoted(error):
    """Invalid UTF-8 in a query value stays percent-encoded (as werkzeug parses it)."""
    return quote(error.object[error.start:error.end], safe=""), error.end


codecs.register_error("raw_reference.url_quote", _keep_quoted)

# --- SQL -----------------------------------------------------------------------------------
# Speaker resolution: service/queries.py's two lookups as one compound statement, each arm
# with Claimbase's own WHERE and order (speakers by id, then aliases by id).
_IDENTITY = ("SELECT 0, id, slug, name, kind, NULL, NULL, id FROM speaker "
             "WHERE ((slug = ?) OR (key = ?))")
_BY_ALIAS = ("SELECT 1, s.id, s.slug, s.name, s.kind, a.name, a.lang, a.id FROM alias AS a "
             "JOIN speaker AS s ON s.id = a.speaker_id WHERE a.key = ?")
_ORDER = " ORDER BY 1, 8"
RESOLVE_SQL = {  # (value is an id, key is not empty) → statement
    (False, False): _IDENTITY + _ORDER,
    (True, False): _IDENTITY + " OR (id = ?)" + _ORDER,
    (False, True): f"{_IDENTITY} UNION ALL {_BY_ALIAS}{_ORDER}",
    (True, True): f"{_IDENTITY} OR (id = ?) UNION ALL {_BY_ALIAS}{_ORDER}",
}
# The surname rule of service/identity.py (_surname_bearers): persons with this name token,
# the first form of each in (size, speaker, form) order, at most MAX_CANDIDATES speakers.
SURNAME_SQL = (
    "SELECT k.speaker_id, k.form, k.size, s.slug, s.name, s.kind, a.name, a.lang "
    "FROM speaker_name_key AS k JOIN speaker AS s ON s.id = k.speaker_id "
    "LEFT JOIN alias AS a ON a.id = k.form / 2 AND k.form > 1 "
    "WHERE k.step = 'token' AND k.key = ? AND s.kind = 'person' "
    "ORDER BY k.size, k.speaker_id, k.form LIMIT 200")
MAX_CANDIDATES = 50  # service/identity.py
WIKIDATA = re.compile(
    r"(?:https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/)?(Q[1-9][0-9]{0,11})",
    re.IGNORECASE)  # service/identity.py _WIKIDATA
PAGE_SQL = (
    "SELECT id, text, lang, first_seen, status FROM claim WHERE id IN ("
    "SELECT DISTINCT claim_id FROM stance WHERE speaker_id IN ({}) AND claim_id > ? "
    "ORDER BY claim_id LIMIT ?) ORDER BY id"
)
STANCES_SQL = (
    "SELECT st.claim_id, st.id, st.position, st.speaker_id, sp.slug, sp.name, sp.kind, "
    "q.id, q.text, q.lang, q.kind, q.said_on, q.via_id, v.slug, v.name, v.kind, "
    "q.prefix, q.suffix, q.start_offset, q.end_offset, "
    "so.id, so.slug, so.kind, so.title, so.publisher, so.url, so.lang, so.published_on, "
    "st.stated_on "
    "FROM stance AS st JOIN speaker AS sp ON sp.id = st.speaker_id "
    "LEFT JOIN quote AS q ON q.id = st.quote_id "
    "LEFT JOIN speaker AS v ON v.id = q.via_id "
    "LEFT JOIN source AS so ON so.id = st.source_id "
    "WHERE st.claim_id IN ({}) ORDER BY st.id"
)
TOPICS_SQL = (
    "SELECT ct.claim_id, t.slug, t.name FROM claim_topic AS ct "
    "JOIN topic AS t ON t.id = ct.topic_id WHERE ct.claim_id IN ({}) ORDER BY t.slug"
)
REVIEWS_SQL = (  # with the canonical publisher's slug (migration 0009's publisher table)
    "SELECT r.claim_id, r.id, r.publisher, r.url, r.rating_label, r.rating, p.slug, "
    "r.published_on, r.lang, r.title, r.explanation FROM review AS r "
    "LEFT JOIN publisher AS p ON p.id = r.publisher_id "
    "WHERE r.claim_id IN ({}) ORDER BY r.id"
)
APPEARANCES_SQL = (
    "SELECT claim_id, url, published_on, first FROM appearance WHERE claim_id IN ({}) "
    "ORDER BY first DESC, id"
)
_sql = {}  # (template, n) → the statement with n placeholders in its IN list


def sql_for(template, n):
    key = (template, n)
    statement = _sql.get(key)
    if statement is None:
        statement = _sql[key] = template.format(",".join("?" * n))
    return statement


# --- HTTP ----------------------------------------------------------------------------------
JSON_HEADERS = [("Content-Type", "application/json"), ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Expose-Headers", "Link")]
STATUS = {200: "200 OK", 400: "400 Bad Request", 404: "404 Not Found"}
_dumps = json.JSONEncoder(ensure_ascii=False, check_circular=False,
                          separators=(",", ":")).encode  # Flask's settings, as Claimbase's


class Refused(Exception):
    """A request the reference does not answer as Claimbase does: (status, detail)."""

    def __init__(self, status, detail):
        super().__init__(detail)
        self.status = status
        self.detail = detail


def decode_cursor(raw):
    """The `after` key of Claimbase's cursor (schemas/common.py Cursor + keyset_page)."""
    try:
        decoded = json.loads(base64.urlsafe_b64decode(raw.encode("ascii") + b"=="))
    except (ValueError, binascii.Error, UnicodeError):
        raise Refused(400, "Not a valid cursor: use the one given in links.next.") from None
    if not isinstance(decoded, dict) or "after" not in decoded:
        raise Refused(400, "Not a valid cursor: use the one given in links.next.")
    after = decoded["after"]
    if type(after) is not int:
        raise Refused(400, "Not a valid cursor for this list.")
    if not -MAX_SQL_INT <= after <= MAX_SQL_INT:
        raise Refused(400, "Not a valid cursor for this list.")
    return after


def encode_cursor(after):
    return base64.urlsafe_b64encode(b'{"after":%d}' % after).decode("ascii").rstrip("=")


def parse_args(query_string):
    """{name: [values]} in first-appearance order, as werkzeug's MultiDict holds them."""
    try:
        text = query_string.encode("latin-1").decode()
    except UnicodeError:
        raise Refused(400, "The query string is not UTF-8.") from None
    args = {}
    for name, value in parse_qsl(text, keep_blank_values=True,
                                 errors="raw_reference.url_quote"):
        values = args.get(name)
        if values is None:
            args[name] = [value]
        else:
            values.append(value)
    return text, args


def as_id(value):
    value = value.strip()
    if value.isascii() and value.isdigit() and int(value) <= MAX_ID:
        return int(value)
    return None


def resolve(conn, value):
    """(speaker ids, meta.speakers) for one `speaker=` value, as service.queries does."""
    key = name_key(value)
    slug = value.strip().lower()
    speaker_id = as_id(value)
    params = [slug, key]
    if speaker_id is not None:
        params.append(speaker_id)
    if key:
        params.append(key)
    found = {}
    for by_alias, sid, sslug, sname, skind, alias_name, alias_lang, _ in conn.execute(
            RESOLVE_SQL[speaker_id is not None, bool(key)], params):
        if sid in found:
            continue
        ref = {"id": sid, "slug": sslug, "name": sname, "kind": skind}
        if by_alias:
            found[sid] = (ref, "alias", alias_name, alias_lang, 1.0)
        elif sid == speaker_id:
            found[sid] = (ref, "id", str(sid), None, 1.0)
        elif sslug == slug:
            found[sid] = (ref, "slug", sslug, None, 1.0)
        else:
            found[sid] = (ref, "name", sname, None, 1.0)
    if found and len(key.split()) == 1:
        found.update(_surname_bearers(conn, key, found))
    found = dict(list(found.items())[:MAX_CANDIDATES])
    ambiguous = len(found) > 1
    matched = [{"query": value, "speaker": ref, "matched_by": by, "matched_name": name,
                "lang": lang, "confidence": confidence, "ambiguous": ambiguous}
               for ref, by, name, lang, confidence in found.values()]
    return list(found), matched


def _surname_bearers(conn, key, found):
    """{speaker id: match} of the persons bearing the one-word value as a name token."""
    bearers = {}
    for sid, form, size, slug, name, kind, alias_name, alias_lang in conn.execute(
            SURNAME_SQL, (key,)):
        if sid in found or sid in bearers:
            continue
        ref = {"id": sid, "slug": slug, "name": name, "kind": kind}
        named = (alias_name, alias_lang) if form > 1 else (name, None)
        bearers[sid] = (ref, "tokens", *named, 0.9 if size == 1 else 0.7)
    return dict(list(bearers.items())[:MAX_CANDIDATES])


def claims_page(conn, speaker_ids, limit, after):
    """(claims as dicts, the id to continue after or None): Claimbase's page of claims."""
    rows = conn.execute(sql_for(PAGE_SQL, len(speaker_ids)),
                        (*speaker_ids, after, limit + 1)).fetchall()
    next_after = None
    if len(rows) > limit:
        del rows[limit:]
        next_after = rows[-1][0]
    if not rows:
        return [], None
    ids = [row[0] for row in rows]
    n = len(ids)
    claims = {}
    data = []
    for cid, text, lang, first_seen, status in rows:
        claim = {"id": cid, "text": text, "lang": lang, "first_seen": first_seen,
                 "status": status, "topics": [],
                 "stances": {"asserts": [], "denies": [], "questions": []},
                 "reviews": [], "appearances": [], "speaker_positions": []}
        claims[cid] = claim
        data.append(claim)

    wanted = set(speaker_ids)
    speakers, sources = {}, {}
    for (cid, stid, position, spid, spslug, spname, spkind,
         qid, qtext, qlang, qkind, qsaid, viaid, vslug, vname, vkind,
         prefix, suffix, start, end,
         soid, soslug, sokind, sotitle, sopub, sourl, solang, sopubon,
         stated_on) in conn.execute(sql_for(STANCES_SQL, n), ids):
        speaker = speakers.get(spid)
        if speaker is None:
            speaker = speakers[spid] = {"id": spid, "slug": spslug, "name": spname,
                                        "kind": spkind}
        if qid is None:
            quote_ = None
        else:
            if viaid is None:
                via = None
            else:
                via = speakers.get(viaid)
                if via is None:
                    via = speakers[viaid] = {"id": viaid, "slug": vslug, "name": vname,
                                             "kind": vkind}
            if start is None:
                selector = position_ = None
            else:
                selector = {"type": "TextQuoteSelector", "exact": qtext, "prefix": prefix,
                            "suffix": suffix}
                position_ = {"type": "TextPositionSelector", "start": start, "end": end}
            quote_ = {"id": qid, "text": qtext, "lang": qlang, "kind": qkind,
                      "said_on": qsaid, "via": via, "selector": selector,
                      "text_position": position_}
        if soid is None:
            source = None
        else:
            source = sources.get(soid)
            if source is None:
                source = sources[soid] = {"id": soid, "slug": soslug, "kind": sokind,
                                          "title": sotitle, "publisher": sopub, "url": sourl,
                                          "lang": solang, "published_on": sopubon}
        claim = claims[cid]
        claim["stances"][position].append({"id": stid, "speaker": speaker, "quote": quote_,
                                           "source": source, "stated_on": stated_on})
        if spid in wanted:
            claim["speaker_positions"].append({"speaker": speaker, "position": position})

    for cid, slug, name in conn.execute(sql_for(TOPICS_SQL, n), ids):
        claims[cid]["topics"].append({"slug": slug, "name": name})
    for (cid, rid, publisher, url, label, rating, publisher_slug, published_on, lang, title,
         explanation) in conn.execute(sql_for(REVIEWS_SQL, n), ids):
        claims[cid]["reviews"].append({
            "id": rid, "publisher": publisher, "url": url, "rating_label": label,
            "rating": rating, "publisher_slug": publisher_slug,
            # service/ratings.py unmapped(): a label that no rule normalised
            "rating_unmapped": bool(label and label.strip()) and rating is None,
            "published_on": published_on, "lang": lang, "title": title,
            "explanation": explanation})
    for cid, url, published_on, first in conn.execute(sql_for(APPEARANCES_SQL, n), ids):
        claims[cid]["appearances"].append({
            "url": url, "published_on": published_on,
            "first": None if first is None else bool(first)})
    return data, next_after


def open_connection(path):
    """One read-only connection: autocommit, statements cached, the file memory-mapped."""
    conn = sqlite3.connect(path, isolation_level=None, cached_statements=512)
    conn.execute("PRAGMA query_only = 1")
    conn.execute("PRAGMA mmap_size = 1073741824")
    conn.execute("PRAGMA cache_size = -16000")
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


class RawReference:
    """The WSGI application over one SQLite file (its connection opened on first use)."""

    def __init__(self, db_path=None):
        self.db_path = db_path
        self.conn = None

    def connection(self):
        if self.conn is None:
            path = self.db_path or os.environ.get(DB_ENV)
            if not path:
                raise RuntimeError(f"set {DB_ENV} to the path of a Claimbase SQLite file")
            self.conn = open_connection(path)
        return self.conn

    def close(self):
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def answer(self, environ):
        """(status, extra headers, body bytes) for a request."""
        path = environ.get("PATH_INFO", "")
        if path != "/claims" and path != "/claims/":
            raise Refused(404, "Only /claims?speaker=… is served here.")
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            raise Refused(404, "Only GET is served here.")
        query_string, args = parse_args(environ.get("QUERY_STRING", ""))
        speaker = args.get("speaker")
        if speaker is None or len(speaker) != 1 or len(args) > 3 or any(
                name not in ("speaker", "limit", "cursor") for name in args):
            raise Refused(404, "Only one speaker=, with limit= and cursor=, is served here.")
        value = speaker[0]
        if not 1 <= len(value) <= MAX_SPEAKER_LENGTH or "\x00" in value:
            raise Refused(400, "Not a valid speaker value.")
        if WIKIDATA.fullmatch(value.strip()):
            raise Refused(404, "A Wikidata id is out of the reference's scope.")
        limit = DEFAULT_LIMIT
        if "limit" in args:
            try:
                limit = int(args["limit"][0])
            except ValueError:
                raise Refused(400, "Not a valid integer.") from None
            if not 1 <= limit <= MAX_LIMIT:
                raise Refused(400, f"Must be greater than or equal to 1 and less than or "
                              f"equal to {MAX_LIMIT}.")
        cursor = args.get("cursor")
        after = decode_cursor(cursor[0]) if cursor is not None else None

        conn = self.connection()
        speaker_ids, matched = resolve(conn, value)
        if not speaker_ids:
            raise Refused(404, "An unknown speaker is out of the reference's scope.")
        data, next_after = claims_page(conn, speaker_ids,
                                       limit, after if after is not None else -MAX_SQL_INT)

        headers = []
        next_cursor = next_link = None
        if next_after is not None:
            next_cursor = encode_cursor(next_after)
            args.pop("cursor", None)
            args["cursor"] = [next_cursor]
            items = [(name, v) for name, values in args.items() for v in values]
            script = environ.get("SCRIPT_NAME", "").encode("latin-1").decode(
                "utf-8", "replace").rstrip("/")
            next_link = f"{script}/claims?{urlencode(items, safe=URL_SAFE)}"
            headers.append(("Link", f'<{next_link}>; rel="next"'))
        envelope = {
            "data": data,
            "meta": {"limit": limit, "count": len(data), "next_cursor": next_cursor,
                     "speakers": matched, "unmatched": []},
            "links": {"self": f"{path}?{query_string}".rstrip("?"), "next": next_link},
        }
        return 200, headers, (_dumps(envelope) + "\n").encode()

    def __call__(self, environ, start_response):
        try:
            status, headers, body = self.answer(environ)
        except Refused as refused:
            status, headers = refused.status, []
            body = _dumps({"status": status, "detail": refused.detail}).encode() + b"\n"
        headers = [*JSON_HEADERS, ("Content-Length", str(len(body))), *headers]
        start_response(STATUS[status], headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return [body]


app = RawReference()  # gunicorn bench.raw_reference:app, reading CLAIMBASE_RAW_DB


def compare(db_path, claimbase_app, paths):
    """The paths whose body or Link header differ between the reference and Claimbase.

    `claimbase_app` is a Claimbase Flask app over the same SQLite file as `db_path`. Both
    answer through werkzeug's test client, so they see the very same WSGI environ. Returns
    [(path, what differs, Claimbase's bytes, the reference's bytes)], empty when all match.
    """
    from werkzeug.test import Client

    reference = RawReference(db_path)
    differences = []
    try:
        ours, theirs = Client(reference), claimbase_app.test_client()
        for path in paths:
            expected, got = theirs.get(path), ours.get(path)
            if expected.status_code != got.status_code:
                differences.append((path, "status", expected.get_data(), got.get_data()))
            elif expected.get_data() != got.get_data():
                differences.append((path, "body", expected.get_data(), got.get_data()))
            elif expected.headers.get("Link") != got.headers.get("Link"):
                differences.append((path, "Link", expected.headers.get("Link"),
                                    got.headers.get("Link")))
    finally:
        reference.close()
    return differences
