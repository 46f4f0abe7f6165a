"""Initial schema: the entities of DESIGN.md, their constraints, and the claim-status triggers.

A frozen copy of the models as they were when this migration was written: later migrations
change the schema, never this file.
"""

from peewee import SQL
from peewee import CharField
from peewee import Check
from peewee import CompositeKey
from peewee import DateField
from peewee import ForeignKeyField
from peewee import IntegerField
from peewee import Model
from peewee import SqliteDatabase
from peewee import TextField


def _one_of(column, values):
    return Check("{} IN ({})".format(column, ", ".join(f"'{v}'" for v in values)))


# The status a claim's stances give it: contested when one speaker asserts and another
# denies; else the first position present; else unattributed. `{claim}` is the claim id.
STATUS_EXPRESSION = """
CASE
  WHEN EXISTS (SELECT 1 FROM stance a JOIN stance d
               ON d.claim_id = a.claim_id AND d.speaker_id <> a.speaker_id
               WHERE a.claim_id = {claim} AND a.position = 'asserts' AND d.position = 'denies')
    THEN 'contested'
  WHEN EXISTS (SELECT 1 FROM stance s WHERE s.claim_id = {claim} AND s.position = 'asserts')
    THEN 'asserted'
  WHEN EXISTS (SELECT 1 FROM stance s WHERE s.claim_id = {claim} AND s.position = 'denies')
    THEN 'denied'
  WHEN EXISTS (SELECT 1 FROM stance s WHERE s.claim_id = {claim} AND s.position = 'questions')
    THEN 'questioned'
  ELSE 'unattributed'
END"""


def _refresh(row):
    return "UPDATE claim SET status = ({}) WHERE id = {}.claim_id;".format(
        STATUS_EXPRESSION.format(claim=f"{row}.claim_id"), row
    )


SQLITE_TRIGGERS = [
    f"CREATE TRIGGER stance_status_insert AFTER INSERT ON stance BEGIN {_refresh('NEW')} END",
    f"CREATE TRIGGER stance_status_delete AFTER DELETE ON stance BEGIN {_refresh('OLD')} END",
    "CREATE TRIGGER stance_status_update AFTER UPDATE ON stance BEGIN "
    f"{_refresh('OLD')} {_refresh('NEW')} END",
]

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION claim_refresh_status() RETURNS trigger AS $$
BEGIN
  IF TG_OP IN ('DELETE', 'UPDATE') THEN {_refresh('OLD')} END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN {_refresh('NEW')} END IF;
  RETURN NULL;
END $$ LANGUAGE plpgsql""",
    "CREATE TRIGGER stance_status AFTER INSERT OR UPDATE OR DELETE ON stance "
    "FOR EACH ROW EXECUTE FUNCTION claim_refresh_status()",
]


def up(migrator, db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Speaker(Base):
        slug = CharField(max_length=120, unique=True)
        name = TextField()
        key = CharField(max_length=255, index=True)
        kind = CharField(
            max_length=20,
            constraints=[
                _one_of("kind", ("person", "government", "organization", "group", "media"))
            ],
        )
        country = CharField(max_length=2, null=True, index=True)
        description = TextField(null=True)
        wikidata_id = CharField(max_length=20, null=True, unique=True)

    class Alias(Base):
        speaker = ForeignKeyField(Speaker, on_delete="CASCADE")
        name = TextField()
        key = CharField(max_length=255, index=True)
        lang = CharField(max_length=35, null=True)

        class Meta:
            indexes = ((("speaker", "key", "lang"), True),)

    class Source(Base):
        slug = CharField(max_length=120, unique=True)
        kind = CharField(
            max_length=30,
            constraints=[
                _one_of(
                    "kind",
                    (
                        "article", "news_agency", "state_media", "press_briefing", "speech",
                        "official_document", "broadcast", "social_post",
                    ),
                )
            ],
        )
        title = TextField(null=True)
        publisher = TextField(null=True)
        url = TextField(null=True)
        lang = CharField(max_length=35, null=True)
        published_on = DateField(null=True)
        text = TextField(null=True)

    class Quote(Base):
        text = TextField(constraints=[Check("length(text) > 0")])
        lang = CharField(max_length=35, null=True, index=True)
        speaker = ForeignKeyField(Speaker, on_delete="RESTRICT")
        source = ForeignKeyField(Source, on_delete="RESTRICT")
        via = ForeignKeyField(Speaker, null=True, on_delete="RESTRICT")
        said_on = DateField(null=True, index=True)
        kind = CharField(
            max_length=10, constraints=[_one_of("kind", ("direct", "partial", "indirect"))]
        )
        context = TextField(null=True)
        prefix = TextField(null=True)
        suffix = TextField(null=True)
        start_offset = IntegerField(null=True)
        end_offset = IntegerField(null=True)

        class Meta:
            constraints = [
                SQL("CHECK ((start_offset IS NULL) = (end_offset IS NULL))"),
                SQL("CHECK (start_offset IS NULL OR "
                    "(start_offset >= 0 AND end_offset > start_offset))"),
            ]

    class Topic(Base):
        slug = CharField(max_length=120, unique=True)
        name = TextField()

    class Claim(Base):
        text = TextField(constraints=[Check("length(text) > 0")])
        lang = CharField(max_length=35, null=True, index=True)
        first_seen = DateField(null=True)
        status = CharField(
            max_length=15,
            default="unattributed",
            index=True,
            constraints=[
                _one_of("status", ("contested", "asserted", "denied", "questioned", "unattributed"))
            ],
        )

    class ClaimTopic(Base):
        claim = ForeignKeyField(Claim, on_delete="CASCADE")
        topic = ForeignKeyField(Topic, on_delete="RESTRICT")

        class Meta:
            primary_key = CompositeKey("claim", "topic")
            indexes = ((("topic", "claim"), False),)

    class Stance(Base):
        claim = ForeignKeyField(Claim, on_delete="CASCADE")
        speaker = ForeignKeyField(Speaker, on_delete="RESTRICT")
        position = CharField(
            max_length=10, constraints=[_one_of("position", ("asserts", "denies", "questions"))]
        )
        quote = ForeignKeyField(Quote, null=True, on_delete="SET NULL")
        source = ForeignKeyField(Source, null=True, on_delete="RESTRICT")
        stated_on = DateField(null=True)

        class Meta:
            indexes = (
                (("claim", "speaker", "position"), True),
                (("speaker", "claim"), False),
            )

    class Review(Base):
        claim = ForeignKeyField(Claim, on_delete="CASCADE")
        publisher = TextField()
        url = TextField(null=True)
        rating_label = TextField(null=True)
        rating = CharField(
            max_length=15,
            null=True,
            constraints=[
                _one_of(
                    "rating",
                    ("true", "mostly-true", "mixed", "mostly-false", "false", "unproven", "other"),
                )
            ],
        )
        published_on = DateField(null=True)
        lang = CharField(max_length=35, null=True)

    db.create_tables([Speaker, Alias, Source, Quote, Topic, Claim, ClaimTopic, Stance, Review])
    triggers = SQLITE_TRIGGERS if isinstance(db, SqliteDatabase) else POSTGRES_TRIGGERS
    for statement in triggers:
        db.execute_sql(statement)


def down(migrator, db):
    if not isinstance(db, SqliteDatabase):
        db.execute_sql("DROP FUNCTION IF EXISTS claim_refresh_status() CASCADE")
    for table in ("review", "stance", "claim_topic", "claim", "topic", "quote", "source",
                  "alias", "speaker"):
        migrator.migrate(migrator.drop_table(table))
