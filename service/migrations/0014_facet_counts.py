"""Facet counts kept by the database (issue 17): `/claims?facets=rating,publisher` answered
from a few hundred stored counts instead of reading the reviews of every matching claim.

- `claim_facet`: one row per (claim, facet value) its reviews carry: each distinct rating
  (`''` for none) and each distinct canonical publisher id (`''` for none). Kept in step with
  `review` by triggers that re-derive one claim's rows after any change to its reviews.
- `facet_pair`: for two facet values a and b, how many claims carry both. `(a, a)` is the
  number of claims carrying a, so the unfiltered counts are the diagonal, and the counts of
  the claims filtered on one value a (`rating=false`, or one publisher) are the row of a.
  Kept by triggers on `claim_facet`: a new (claim, value) row counts one pair with each
  value the claim already has (by id, so that PostgreSQL, which fires AFTER ROW triggers at
  the end of the statement, counts each pair once); a deleted row, removed BEFORE the
  delete, uncounts its pairs with the values still there.

Any other filter counts the matches through the review indexes (service/queries.py).

Also: Fatabyyano's country (Jordan), verified since migration 0009 left it empty.
"""

from peewee import SqliteDatabase

TABLES = [
    "CREATE TABLE claim_facet (id {serial}, claim_id INTEGER NOT NULL "
    "REFERENCES claim (id) ON DELETE CASCADE, facet VARCHAR(10) NOT NULL "
    "CHECK (facet IN ('rating', 'publisher')), value VARCHAR(20) NOT NULL, "
    "UNIQUE (claim_id, facet, value))",
    "CREATE TABLE facet_pair (filter_facet VARCHAR(10) NOT NULL, "
    "filter_value VARCHAR(20) NOT NULL, facet VARCHAR(10) NOT NULL, "
    "value VARCHAR(20) NOT NULL, claims INTEGER NOT NULL CHECK (claims >= 0), "
    "PRIMARY KEY (filter_facet, filter_value, facet, value))",
]

RATING = "COALESCE(r.rating, '')"
PUBLISHER = "COALESCE(CAST(r.publisher_id AS TEXT), '')"


def _resync(claim):
    """Statements that make claim_facet hold exactly the values of this claim's reviews."""
    return f"""
DELETE FROM claim_facet WHERE claim_id = {claim} AND NOT EXISTS (
  SELECT 1 FROM review r WHERE r.claim_id = {claim} AND (
    (claim_facet.facet = 'rating' AND {RATING} = claim_facet.value)
    OR (claim_facet.facet = 'publisher' AND {PUBLISHER} = claim_facet.value)));
INSERT INTO claim_facet (claim_id, facet, value)
  SELECT {claim}, f.facet, f.value FROM (
    SELECT 'rating' AS facet, {RATING} AS value FROM review r WHERE r.claim_id = {claim}
    UNION SELECT 'publisher', {PUBLISHER} FROM review r WHERE r.claim_id = {claim}) AS f
  WHERE NOT EXISTS (SELECT 1 FROM claim_facet cf WHERE cf.claim_id = {claim}
                    AND cf.facet = f.facet AND cf.value = f.value)
  ORDER BY f.facet, f.value;"""


_PAIR = "facet_pair (filter_facet, filter_value, facet, value, claims)"
_BUMP = ("ON CONFLICT (filter_facet, filter_value, facet, value) "
         "DO UPDATE SET claims = facet_pair.claims + 1")
COUNT_PAIRS = f"""
INSERT INTO {_PAIR} SELECT NEW.facet, NEW.value, cf.facet, cf.value, 1 FROM claim_facet cf
  WHERE cf.claim_id = NEW.claim_id AND cf.id <= NEW.id {_BUMP};
INSERT INTO {_PAIR} SELECT cf.facet, cf.value, NEW.facet, NEW.value, 1 FROM claim_facet cf
  WHERE cf.claim_id = NEW.claim_id AND cf.id < NEW.id {_BUMP};"""
UNCOUNT_PAIRS = """
UPDATE facet_pair SET claims = claims - 1
  WHERE filter_facet = OLD.facet AND filter_value = OLD.value AND EXISTS (
    SELECT 1 FROM claim_facet cf WHERE cf.claim_id = OLD.claim_id
    AND cf.facet = facet_pair.facet AND cf.value = facet_pair.value);
UPDATE facet_pair SET claims = claims - 1
  WHERE facet = OLD.facet AND value = OLD.value
  AND NOT (filter_facet = OLD.facet AND filter_value = OLD.value) AND EXISTS (
    SELECT 1 FROM claim_facet cf WHERE cf.claim_id = OLD.claim_id
    AND cf.facet = facet_pair.filter_facet AND cf.value = facet_pair.filter_value);"""
WATCHED = "claim_id, rating, publisher_id"

SQLITE_TRIGGERS = [
    f"CREATE TRIGGER review_facet_insert AFTER INSERT ON review BEGIN {_resync('NEW.claim_id')} "
    "END",
    f"CREATE TRIGGER review_facet_delete AFTER DELETE ON review BEGIN {_resync('OLD.claim_id')} "
    "END",
    f"CREATE TRIGGER review_facet_update AFTER UPDATE OF {WATCHED} ON review BEGIN "
    f"{_resync('OLD.claim_id')} {_resync('NEW.claim_id')} END",
    f"CREATE TRIGGER claim_facet_pairs_insert AFTER INSERT ON claim_facet BEGIN {COUNT_PAIRS} END",
    "CREATE TRIGGER claim_facet_pairs_delete BEFORE DELETE ON claim_facet BEGIN "
    f"{UNCOUNT_PAIRS} END",
]

# PostgreSQL: every transaction that changes facet rows takes this lock first (held until it
# ends), so two concurrent review writes never take facet_pair's rows in opposite orders
# (a deadlock, a 503 to one of them). Review writes are few; imports are one writer anyway.
# SQLite has one writer at a time already.
LOCK = "PERFORM pg_advisory_xact_lock(140014);"

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION review_facet_resync() RETURNS trigger AS $$
BEGIN
  {LOCK}
  IF TG_OP IN ('DELETE', 'UPDATE') THEN {_resync('OLD.claim_id')} END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN {_resync('NEW.claim_id')} END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER review_facet AFTER INSERT OR DELETE OR UPDATE OF "
    f"{WATCHED} ON review FOR EACH ROW EXECUTE FUNCTION review_facet_resync()",
    f"""CREATE FUNCTION claim_facet_count_pairs() RETURNS trigger AS $$
BEGIN {LOCK} {COUNT_PAIRS} RETURN NULL; END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER claim_facet_pairs_insert AFTER INSERT ON claim_facet "
    "FOR EACH ROW EXECUTE FUNCTION claim_facet_count_pairs()",
    f"""CREATE FUNCTION claim_facet_uncount_pairs() RETURNS trigger AS $$
BEGIN {LOCK} {UNCOUNT_PAIRS} RETURN OLD; END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER claim_facet_pairs_delete BEFORE DELETE ON claim_facet "
    "FOR EACH ROW EXECUTE FUNCTION claim_facet_uncount_pairs()",
]

# The rows the triggers would have written, for the reviews already there: in bulk.
BACKFILL = [
    "INSERT INTO claim_facet (claim_id, facet, value) "
    f"SELECT DISTINCT r.claim_id, 'rating', {RATING} FROM review r "
    f"UNION SELECT r.claim_id, 'publisher', {PUBLISHER} FROM review r ORDER BY 1, 2, 3",
    "INSERT INTO facet_pair (filter_facet, filter_value, facet, value, claims) "
    "SELECT a.facet, a.value, b.facet, b.value, COUNT(*) FROM claim_facet a "
    "JOIN claim_facet b ON b.claim_id = a.claim_id GROUP BY a.facet, a.value, b.facet, b.value",
]


# A known publisher's detail verified since migration 0009 added it (docs/publishers.md).
PUBLISHER_FIXES = ["UPDATE publisher SET country = 'JO' WHERE slug = 'fatabyyano' "
                   "AND country IS NULL"]


def up(migrator, db):
    for statement in PUBLISHER_FIXES:
        db.execute_sql(statement)
    sqlite = isinstance(db, SqliteDatabase)
    serial = "INTEGER PRIMARY KEY" if sqlite else "SERIAL PRIMARY KEY"
    for statement in TABLES:
        db.execute_sql(statement.format(serial=serial))
    for statement in BACKFILL:
        db.execute_sql(statement)
    for statement in SQLITE_TRIGGERS if sqlite else POSTGRES_TRIGGERS:
        db.execute_sql(statement)


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        for name in ("review_facet_insert", "review_facet_delete", "review_facet_update"):
            db.execute_sql(f"DROP TRIGGER IF EXISTS {name}")
    else:
        db.execute_sql("DROP FUNCTION IF EXISTS review_facet_resync() CASCADE")
        db.execute_sql("DROP FUNCTION IF EXISTS claim_facet_count_pairs() CASCADE")
        db.execute_sql("DROP FUNCTION IF EXISTS claim_facet_uncount_pairs() CASCADE")
    db.execute_sql("DROP TABLE facet_pair")
    db.execute_sql("DROP TABLE claim_facet")  # its SQLite triggers go with it
