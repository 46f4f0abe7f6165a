"""Editing: a version per editable resource (optimistic concurrency), API tokens, history."""

from peewee import CharField
from peewee import Check
from peewee import DateTimeField
from peewee import IntegerField
from peewee import Model
from peewee import TextField

VERSIONED = ("speaker", "source", "quote", "claim", "topic")


def up(migrator, db):
    for table in VERSIONED:
        # Plain SQL: SQLite adds a NOT NULL column with a default in place, where peewee's
        # migrator would rebuild the table and break the triggers that refer to it.
        db.execute_sql(f"ALTER TABLE {table} ADD COLUMN version INTEGER NOT NULL DEFAULT 1")

    class Base(Model):
        class Meta:
            database = db
            legacy_table_names = False

    class ApiToken(Base):
        name = CharField(max_length=100, unique=True)
        role = CharField(max_length=10, constraints=[Check("role IN ('editor', 'admin')")])
        token_hash = CharField(max_length=64, unique=True)
        created_at = DateTimeField()
        revoked_at = DateTimeField(null=True)

    class Change(Base):
        at = DateTimeField(index=True)
        token_name = CharField(max_length=100, index=True)
        action = CharField(
            max_length=10, constraints=[Check("action IN ('create', 'update', 'delete')")]
        )
        resource = CharField(max_length=20)
        resource_id = IntegerField()
        resource_slug = CharField(max_length=120, null=True)
        parent_resource = CharField(max_length=20, null=True)
        parent_id = IntegerField(null=True)
        fields = TextField()

        class Meta:
            indexes = (
                (("resource", "resource_id"), False),
                (("resource", "resource_slug"), False),
                (("parent_resource", "parent_id"), False),
            )

    db.create_tables([ApiToken, Change])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("change"), migrator.drop_table("api_token"))
    for table in VERSIONED:
        migrator.migrate(migrator.drop_column(table, "version"))
