"""Import jobs (service/jobs.py): one row per HTTP import too big to run inside its request.
The body itself waits on disk, in the spool folder; the row says who sent it, how to import
it and, once finished, the report."""

from peewee import BigIntegerField
from peewee import CharField
from peewee import Check
from peewee import DateTimeField
from peewee import ForeignKeyField
from peewee import Model
from peewee import TextField


class ApiToken(Model):  # frozen: only what the foreign key needs
    class Meta:
        table_name = "api_token"


class ImportJob(Model):
    token = ForeignKeyField(ApiToken, backref="+")
    status = CharField(max_length=10, default="queued", index=True,
                       constraints=[Check("status IN ('queued', 'done', 'failed')")])
    format = CharField(max_length=20)
    options = TextField()
    spool = CharField(max_length=64, unique=True)
    size = BigIntegerField()
    submitted_at = DateTimeField()
    finished_at = DateTimeField(null=True)
    report = TextField(null=True)
    error = TextField(null=True)

    class Meta:
        table_name = "import_job"


def up(migrator, db):
    with db.bind_ctx([ApiToken, ImportJob]):
        db.create_tables([ImportJob])


def down(migrator, db):
    db.execute_sql("DROP TABLE import_job")
