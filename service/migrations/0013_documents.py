"""The read model (service/documents.py): each claim, quote and speaker kept as its rendered
JSON document, and the database triggers that keep it honest.

`document` holds (kind, id) → (version, body). Readers render a missing or stale body through
the marshmallow schemas and store it (read-through), so imports and restores render nothing.
Every write that changes what a document shows runs a trigger, in the writer's own
transaction: it clears the body and, for any change other than a write that bumped the row's
own `version`, bumps the document's version (the second part of the ETag). Writers need not
know the read model exists: the write core, merges, imports, restores and any future path are
covered alike.

What each document embeds (schemas/):
- claim: its row; stances (speaker, quote and its relay, source references); topics;
  reviews (and their publisher's slug); appearances;
- quote: its row; speaker and relay references; source reference;
- speaker: its row; aliases; counts of quotes said, relayed, and stances.
"""

from peewee import SqliteDatabase

TABLE = [
    "CREATE TABLE document (kind VARCHAR(10) NOT NULL "
    "CHECK (kind IN ('claim', 'quote', 'speaker')), id INTEGER NOT NULL, "
    "version INTEGER NOT NULL DEFAULT 0, body TEXT, PRIMARY KEY (kind, id)){without_rowid}",
]
# A speaker's quotes in id order (GET /quotes?speaker=…): PostgreSQL read every quote of a
# heavy speaker through the speaker_id index and sorted them for a page of 50. SQLite's
# speaker_id index already held the rowid; the pair replaces it on both backends.
INDEXES = [
    "CREATE INDEX quote_speaker_id_id ON quote (speaker_id, id)",
    "DROP INDEX quote_speaker_id",
]
SPEAKER_REF = ("slug", "name", "kind")
SOURCE_REF = ("slug", "kind", "title", "publisher", "url", "lang", "published_on")


def bump(kind, where):
    """Clear the body of the `kind` documents `where` names and count a change."""
    return (f"UPDATE document SET version = version + 1, body = NULL "
            f"WHERE kind = '{kind}' AND id {where}")


def own(kind):
    """A row's own update: its body goes; a write that did not bump the row's version (the
    status trigger, a merge, an import) counts a change of the document."""
    return (f"UPDATE document SET body = NULL, version = version + "
            f"(CASE WHEN NEW.version = OLD.version THEN 1 ELSE 0 END) "
            f"WHERE kind = '{kind}' AND id = NEW.id")


def forget(kind):
    return f"DELETE FROM document WHERE kind = '{kind}' AND id = OLD.id"


def parts(kind, column):
    """Rows that are part of a `kind` document through `column`: any change bumps it."""
    return {
        "INSERT": [bump(kind, f"= NEW.{column}")],
        "DELETE": [bump(kind, f"= OLD.{column}")],
        "UPDATE": [bump(kind, f"= OLD.{column}"), bump(kind, f"= NEW.{column}")],
    }


def quoted_by_claims(row):
    return f"IN (SELECT claim_id FROM stance WHERE quote_id = {row}.id)"


# (table, event, name, columns whose change fires it or None, statements)
RULES = [
    ("claim", "UPDATE", "own", None, [own("claim")]),
    ("claim", "DELETE", "own", None, [forget("claim")]),
    ("quote", "UPDATE", "own", None, [own("quote"), bump("claim", quoted_by_claims("NEW"))]),
    ("quote", "UPDATE", "counts", ("speaker_id", "via_id"), [
        bump("speaker", "= OLD.speaker_id"), bump("speaker", "= NEW.speaker_id"),
        bump("speaker", "= OLD.via_id"), bump("speaker", "= NEW.via_id")]),
    ("quote", "INSERT", "counts", None, [
        bump("speaker", "= NEW.speaker_id"), bump("speaker", "= NEW.via_id")]),
    ("quote", "DELETE", "own", None, [
        forget("quote"), bump("claim", quoted_by_claims("OLD")),
        bump("speaker", "= OLD.speaker_id"), bump("speaker", "= OLD.via_id")]),
    ("speaker", "UPDATE", "own", None, [own("speaker")]),
    ("speaker", "UPDATE", "refs", SPEAKER_REF, [
        bump("claim", "IN (SELECT claim_id FROM stance WHERE speaker_id = NEW.id)"),
        bump("claim", "IN (SELECT s.claim_id FROM stance AS s JOIN quote AS q "
                      "ON q.id = s.quote_id WHERE q.via_id = NEW.id)"),
        bump("quote", "IN (SELECT id FROM quote WHERE speaker_id = NEW.id)"),
        bump("quote", "IN (SELECT id FROM quote WHERE via_id = NEW.id)")]),
    ("speaker", "DELETE", "own", None, [forget("speaker")]),
    ("source", "UPDATE", "refs", SOURCE_REF, [
        bump("claim", "IN (SELECT claim_id FROM stance WHERE source_id = NEW.id)"),
        bump("quote", "IN (SELECT id FROM quote WHERE source_id = NEW.id)")]),
    ("topic", "UPDATE", "refs", ("slug", "name"), [
        bump("claim", "IN (SELECT claim_id FROM claim_topic WHERE topic_id = NEW.id)")]),
    ("publisher", "UPDATE", "refs", ("slug",), [
        bump("claim", "IN (SELECT claim_id FROM review WHERE publisher_id = NEW.id)")]),
]
for _table, _column, _kind in [("stance", "claim_id", "claim"),
                               ("stance", "speaker_id", "speaker"),
                               ("claim_topic", "claim_id", "claim"),
                               ("review", "claim_id", "claim"),
                               ("appearance", "claim_id", "claim"),
                               ("alias", "speaker_id", "speaker")]:
    for _event, _statements in parts(_kind, _column).items():
        RULES.append((_table, _event, f"{_kind}_part", None, _statements))


def _changed(columns, sqlite):
    compare = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {compare} NEW.{c}" for c in columns)


def _name(table, event, name):
    return f"document_{table}_{event.lower()}_{name}"


def _sqlite_trigger(table, event, name, columns, statements):
    when = f" WHEN {_changed(columns, True)}" if columns else ""
    body = " ".join(f"{s};" for s in statements)
    return [f"CREATE TRIGGER {_name(table, event, name)} AFTER {event} ON {table}{when} "
            f"BEGIN {body} END"]


def _postgres_trigger(table, event, name, columns, statements):
    function = _name(table, event, name)
    when = f" WHEN ({_changed(columns, False)})" if columns else ""
    body = " ".join(f"{s};" for s in statements)
    return [
        f"CREATE FUNCTION {function}() RETURNS trigger AS $$ BEGIN {body} RETURN NULL; "
        f"END $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {function} AFTER {event} ON {table} FOR EACH ROW{when} "
        f"EXECUTE FUNCTION {function}()",
    ]


def statements(sqlite):
    """Every statement of this migration, for one backend."""
    made = [s.format(without_rowid=" WITHOUT ROWID" if sqlite else "") for s in TABLE]
    made += INDEXES
    trigger = _sqlite_trigger if sqlite else _postgres_trigger
    for rule in RULES:
        made += trigger(*rule)
    return made


def up(migrator, db):
    for statement in statements(isinstance(db, SqliteDatabase)):
        db.execute_sql(statement)


def down(migrator, db):
    sqlite = isinstance(db, SqliteDatabase)
    for table, event, name, _, _ in RULES:
        if sqlite:
            db.execute_sql(f"DROP TRIGGER IF EXISTS {_name(table, event, name)}")
        else:
            db.execute_sql(f"DROP FUNCTION IF EXISTS {_name(table, event, name)}() CASCADE")
    db.execute_sql("DROP TABLE document")
    db.execute_sql("CREATE INDEX quote_speaker_id ON quote (speaker_id)")
    db.execute_sql("DROP INDEX quote_speaker_id_id")
