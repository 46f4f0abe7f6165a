"""Speaker identity (docs/speaker-resolution.md): the resolution index `speaker_name_key` (name
tokens, transliterations, folded forms of every name and alias), its trigram index (pg_trgm
GiST on PostgreSQL; an FTS5 `trigram` table kept by triggers on SQLite), and `merged_slug`,
the old slugs of merged speakers. Existing speakers are indexed here."""

from peewee import CharField
from peewee import Check
from peewee import DateTimeField
from peewee import ForeignKeyField
from peewee import IntegerField
from peewee import Model
from peewee import SqliteDatabase

SQLITE = [
    "CREATE VIRTUAL TABLE speaker_name_key_trigram USING fts5(key, content='speaker_name_key', "
    "content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER speaker_name_key_trigram_insert AFTER INSERT ON speaker_name_key "
    "WHEN new.step = 'form' BEGIN "
    "INSERT INTO speaker_name_key_trigram(rowid, key) VALUES (new.id, new.key); END",
    "CREATE TRIGGER speaker_name_key_trigram_delete AFTER DELETE ON speaker_name_key "
    "WHEN old.step = 'form' BEGIN INSERT INTO speaker_name_key_trigram("
    "speaker_name_key_trigram, rowid, key) VALUES ('delete', old.id, old.key); END",
]
POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # GiST, not GIN: its nearest-neighbour order (key <-> value LIMIT n) hands over the closest
    # forms directly. GIN answers only "similar beyond a threshold", walking the posting
    # lists of every trigram of the value: 43 ms at 10k speakers for a name matching
    # nobody, against 4–16 ms for the GiST walk (bench/README.md).
    "CREATE INDEX speaker_name_key_trigram ON speaker_name_key USING GIST (key gist_trgm_ops) "
    "WHERE step = 'form'",
]


def _tables(db):
    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class Speaker(Base):
        class Meta:
            table_name = "speaker"

    class SpeakerKey(Base):
        speaker = ForeignKeyField(Speaker, on_delete="CASCADE")
        form = IntegerField()
        step = CharField(max_length=10, constraints=[Check(
            "step IN ('token', 'translit', 'form')")])
        key = CharField(max_length=255)
        size = IntegerField()

        class Meta:
            table_name = "speaker_name_key"
            indexes = ((("step", "key", "speaker", "form"), False),)

    class SpeakerSlug(Base):
        slug = CharField(max_length=120, unique=True)
        speaker = ForeignKeyField(Speaker, on_delete="CASCADE")
        merged_at = DateTimeField()

        class Meta:
            table_name = "merged_slug"

    return [SpeakerKey, SpeakerSlug]


def up(migrator, db):
    from service import identity
    from service import models

    db.create_tables(_tables(db))
    for statement in SQLITE if isinstance(db, SqliteDatabase) else POSTGRES:
        db.execute_sql(statement)
    with db.bind_ctx([models.Speaker, models.Alias, models.SpeakerKey]):
        identity.reindex_all()


def down(migrator, db):
    if isinstance(db, SqliteDatabase):
        db.execute_sql("DROP TABLE speaker_name_key_trigram")
    db.execute_sql("DROP TABLE merged_slug")
    db.execute_sql("DROP TABLE speaker_name_key")
