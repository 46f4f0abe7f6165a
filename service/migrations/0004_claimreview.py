"""ClaimReview: a review's title and explanation, and where a claim appeared."""

from peewee import BooleanField
from peewee import DateField
from peewee import ForeignKeyField
from peewee import Model
from peewee import TextField


def up(migrator, db):
    migrator.migrate(
        migrator.add_column("review", "title", TextField(null=True)),
        migrator.add_column("review", "explanation", TextField(null=True)),
    )

    class Claim(Model):
        class Meta:
            database = db
            table_name = "claim"

    class Appearance(Model):
        claim = ForeignKeyField(Claim, on_delete="CASCADE")
        url = TextField()
        published_on = DateField(null=True)
        first = BooleanField(default=False)

        class Meta:
            database = db
            table_name = "appearance"
            indexes = ((("claim", "url"), True),)

    db.create_tables([Appearance])


def down(migrator, db):
    migrator.migrate(migrator.drop_table("appearance"),
                     migrator.drop_column("review", "title"),
                     migrator.drop_column("review", "explanation"))
