"""The `claimbase` command: init-db, migrate, seed, serve (and Flask's own commands)."""

import contextlib
import importlib.metadata
import io
import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup
from flask.cli import with_appcontext
from peewee import IntegrityError
from peewee import OperationalError

from schemas.imports import DUPLICATES
from schemas.imports import DUPLICATES_HELP

from . import db
from . import dump
from . import progress
from . import queries
from .auth import create_token
from .auth import revoke_token
from .dberrors import DISK_FULL
from .dberrors import classify
from .exports import FORMATS as EXPORT_FORMATS
from .exports import RESOURCES as EXPORT_RESOURCES
from .formats import FORMATS as IMPORT_FORMATS
from .formats.own import RESOURCES as OWN_RESOURCES
from .importer import ImportFailed
from .importer import import_stream
from .loader import DatasetError
from .loader import load_dataset
from .models import TOKEN_ROLES
from .models import ApiToken
from .speakers_cli import speakers_group


def seed_files(seeds_dir):
    """The dataset files of the seeds folder, in name order."""
    return sorted(Path(seeds_dir).glob("*.json"))


def load_files(paths):
    """Load dataset files, each atomically; print a summary line per file."""
    for path in paths:
        report = load_dataset(path)
        click.echo(f"{path.name}: {report.summary()}")


def prepare_database(app):
    """Create and migrate the database; seed it only when it is new. Never wipes anything."""
    database = app.extensions["claimbase.db"]
    with database.connection_context():
        is_new = not db.applied_migrations(database)
        for name in db.migrate(database):
            click.echo(f"applied migration {name}")
        if is_new:
            load_files(seed_files(app.config["SEEDS_DIR"]))
    return is_new


def fail(message):
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def apply_migrations():
    """Apply pending migrations to the app's database and say which."""
    database = current_app.extensions["claimbase.db"]
    with database.connection_context():
        applied = db.migrate(database)
    click.echo(f"applied: {', '.join(applied)}" if applied else "the schema is up to date")


@click.command("init-db")
@with_appcontext
def init_db_command():
    """Create the database schema (all migrations), without seeding."""
    apply_migrations()


@click.command("migrate")
@with_appcontext
def migrate_command():
    """Apply pending migrations (recorded in the database); never drops data."""
    apply_migrations()


@click.command("seed")
@click.option("--file", "files", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A dataset file to load (repeatable); default: every seeds/*.json.")
@with_appcontext
def seed_command(files):
    """Load the seed data (idempotent: what is already there is left as it is)."""
    database = current_app.extensions["claimbase.db"]
    paths = list(files) or seed_files(current_app.config["SEEDS_DIR"])
    if not paths:
        fail(f"no seed files in {current_app.config['SEEDS_DIR']}")
    with database.connection_context():
        if not db.applied_migrations(database):
            db.migrate(database)
        try:
            load_files(paths)
        except DatasetError as error:
            for place, message in error.problems:
                click.echo(f"{place}: {message}", err=True)
            fail(f"nothing was loaded ({len(error.problems)} problem(s))")


@click.command("serve")
@click.option("--host", default=lambda: os.environ.get("HOST", "127.0.0.1"),
              show_default="127.0.0.1")
@click.option("--port", default=lambda: int(os.environ.get("PORT", 5000)), type=int,
              show_default="5000")
@click.option("--workers", default=lambda: int(os.environ.get("WEB_CONCURRENCY", 2)), type=int,
              show_default="2", help="Processes (one event loop each).")
@click.option("--threads", default=lambda: int(os.environ.get("CLAIMBASE_THREADS", 32)),
              type=click.IntRange(1, 256), show_default="32",
              help="Threads per process, each serving one request at a time.")
@with_appcontext
def serve_command(host, port, workers, threads):
    """Serve the API with gunicorn; creates, migrates and seeds a new database first."""
    from .serving import PortInUse
    from .serving import Server
    from .serving import check_port_free

    try:
        check_port_free(host, port)
    except PortInUse as error:
        fail(str(error))
    app = current_app._get_current_object()
    prepare_database(app)
    database = app.extensions["claimbase.db"]
    database.close()
    if hasattr(database, "close_all"):  # no pooled connection may cross the fork
        database.close_all()
    click.echo(f"Claimbase on http://{host}:{port}/ (docs: /docs) — {app.config['DATABASE_URL']}")
    Server(app, host, port, workers, threads).run()


def _resource_of(path, given):
    """The resource an own-format file holds: as given, else from its name (quotes.csv)."""
    if given:
        return given
    return path.stem if path.stem in OWN_RESOURCES else "claims"


def _report_problems(path, report):
    for problem in report.problems:
        click.echo(f"{path.name}: {problem}", err=True)


def import_file(path, format_name, resource, skip_invalid, duplicates="report"):
    """Import one file (streamed, with a progress bar on a terminal); its report."""
    with (open(path, "rb") as binary,
          io.TextIOWrapper(binary, encoding="utf-8", newline="") as text,
          progress.reading(path.name, binary, path.stat().st_size) as update):
        return import_stream(text, format_name, "cli", skip_invalid=skip_invalid,
                             progress=update, resource=_resource_of(path, resource),
                             name=path.name, duplicates=duplicates)


@click.command("import")
@click.option("--format", "format_name", type=click.Choice(list(IMPORT_FORMATS)),
              required=True, help="; ".join(f"{name}: {fmt.description}"
                                           for name, fmt in IMPORT_FORMATS.items()))
@click.option("--resource", type=click.Choice(OWN_RESOURCES),
              help="For ndjson and csv: what the file holds (default: from the file name, "
              "e.g. quotes.ndjson, else claims).")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid records and report the others (default: a file with a "
              "bad record imports nothing).")
@click.option("--duplicates", type=click.Choice(DUPLICATES), default="report",
              show_default=True, help=DUPLICATES_HELP)
@click.argument("files", nargs=-1, required=True,
                type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_command(format_name, resource, skip_invalid, duplicates, files):
    """Import files, each in one transaction; re-importing one changes nothing.

    Every bad record is reported with its line, field and reason. Files are imported in the
    order given (speakers before the quotes naming them)."""
    database = current_app.extensions["claimbase.db"]
    with database.connection_context():
        if not db.applied_migrations(database):
            db.migrate(database)
        for path in files:
            try:
                report = import_file(path, format_name, resource, skip_invalid, duplicates)
            except ImportFailed as error:
                _report_problems(path, error.report)
                fail(f"{path.name}: nothing was imported ({error.report.rejected} bad "
                     f"record(s) of {error.report.records}; --skip-invalid imports the others)")
            except UnicodeDecodeError:
                fail(f"{path.name}: not UTF-8 text; nothing was imported")
            except ValueError as error:
                fail(f"{path.name}: {error}")
            _report_problems(path, report)
            for note in report.notes:
                click.echo(f"{path.name}: note: {note}", err=True)
            for found in report.near_duplicates:
                ids = ", ".join(f"{d['id']} ({d['score']})" for d in found["duplicates"])
                click.echo(f"{path.name}: line {found['line']}: near-duplicate of claim(s) {ids}",
                           err=True)
            click.echo(f"{path.name}: {report.summary()}")


@click.command("export")
@click.option("--format", "format_name", type=click.Choice(sorted(EXPORT_FORMATS)),
              default="ndjson", show_default=True)
@click.option("--resource", type=click.Choice(sorted(EXPORT_RESOURCES)), default="claims",
              show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="A file to write (default: standard output).")
@with_appcontext
def export_command(format_name, resource, output):
    """Export every row of a resource, streamed (memory stays flat)."""
    database = current_app.extensions["claimbase.db"]
    _, lines = EXPORT_FORMATS[format_name]
    target = (open(output, "w", encoding="utf-8", newline="") if output  # noqa: SIM115
              else contextlib.nullcontext(sys.stdout))
    with database.connection_context(), target as stream:
        total = queries.row_count(resource) if progress.on_terminal() else None
        with progress.counting(f"{resource}.{format_name}", total) as advance:
            for line in lines(resource):
                stream.write(line)
                advance()


@click.command("dump")
@click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def dump_command(file):
    """Write the whole database (ids, history, token hashes) to FILE, gzip NDJSON
    (docs/dump-format.md); default: standard output. Memory stays flat."""
    database = current_app.extensions["claimbase.db"]
    partial = file.with_name(file.name + ".partial") if file else None
    try:
        with database.connection_context(), (open(partial, "wb") if file  # noqa: SIM115
                                             else contextlib.nullcontext(sys.stdout.buffer)
                                             ) as out:
            summary = dump.write_dump(database, out)
    except dump.DumpError as error:
        if partial:
            partial.unlink(missing_ok=True)
        fail(str(error))
    if partial:
        partial.replace(file)
    click.echo(f"dumped {summary.line()}", err=True)


@click.command("restore")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, allow_dash=True))
@with_appcontext
def restore_command(file):
    """Load a dump into this empty database in one transaction, keeping every id; then check
    counts and checksums. Refuses a database that holds rows or a dump of a newer schema."""
    database = current_app.extensions["claimbase.db"]
    source = (open(file, "rb") if file != "-"  # noqa: SIM115
              else contextlib.nullcontext(sys.stdin.buffer))
    with database.connection_context(), source as binary:
        try:
            summary = dump.restore(database, binary)
        except dump.DumpError as error:
            fail(f"{error}; nothing was restored" if "nothing was restored" not in str(error)
                 else str(error))
    click.echo(f"restored {summary.line()}; counts and checksums verified")


@click.group("tokens")
def tokens_group():
    """Create, list and revoke the bearer tokens that writes need."""


@tokens_group.command("create")
@click.option("--name", required=True, help="Who uses it (shown in the history of changes).")
@click.option("--role", type=click.Choice(TOKEN_ROLES), default="editor", show_default=True,
              help="editor: writes; admin: also deletes speakers and sources, manages topics.")
@with_appcontext
def tokens_create(name, role):
    """Create a token and print it once (only its hash is stored)."""
    database = current_app.extensions["claimbase.db"]
    with database.connection_context():
        try:
            token, _ = create_token(name, role)
        except IntegrityError:
            fail(f"a token named {name!r} exists already")
    click.echo(token)
    click.echo(f"{role} token {name!r} created; it is shown only this once.", err=True)


@tokens_group.command("list")
@with_appcontext
def tokens_list():
    """List tokens: name, role, created, revoked (never the tokens themselves)."""
    database = current_app.extensions["claimbase.db"]
    with database.connection_context():
        for row in ApiToken.select().order_by(ApiToken.name):
            revoked = f"revoked {row.revoked_at:%Y-%m-%d %H:%M}" if row.revoked_at else "active"
            click.echo(f"{row.name}\t{row.role}\tcreated {row.created_at:%Y-%m-%d %H:%M}"
                       f"\t{revoked}")


@tokens_group.command("revoke")
@click.argument("name")
@with_appcontext
def tokens_revoke(name):
    """Revoke a token by name: it is refused from now on."""
    database = current_app.extensions["claimbase.db"]
    with database.connection_context():
        if not revoke_token(name):
            fail(f"no active token named {name!r}")
    click.echo(f"token {name!r} revoked")


def register_commands(app):
    for command in (init_db_command, migrate_command, seed_command, serve_command,
                    import_command, export_command, dump_command, restore_command,
                    tokens_group, speakers_group):
        app.cli.add_command(command)


def _create_app():
    from . import create_app

    return create_app()


def _version():
    return importlib.metadata.version("claimbase")


# Commands that extensions add (flask-limiter's `limiter` through an entry point, flask-smorest's
# `openapi` in init_app): still usable (`claimbase openapi write FILE`), not listed.
EXTENSION_COMMANDS = frozenset(("limiter", "openapi"))


class ClaimbaseGroup(FlaskGroup):
    """Flask's command group, listing Claimbase's own commands only."""

    def list_commands(self, ctx):
        return [name for name in super().list_commands(ctx) if name not in EXTENSION_COMMANDS]


# Claimbase's commands only: not Flask's run/shell/routes, nor its --app/--env-file options.
cli = ClaimbaseGroup(create_app=_create_app, add_default_commands=False, add_version_option=False,
                 load_dotenv=False, set_debug_flag=False,
                 help="Claimbase: quotes, speakers and contested claims.")
cli.params = [p for p in cli.params if p.name not in ("app", "env_file", "debug")]
cli = click.version_option(_version(), "--version", prog_name="claimbase",
                           message="%(prog)s %(version)s")(cli)


def main():
    """The console script: configuration and database errors are one line, not a traceback."""
    try:
        cli.main(prog_name="claimbase")
    except (ValueError, OperationalError) as error:
        if isinstance(error, OperationalError) and classify(error) == DISK_FULL:
            fail("disk full: the database's disk has no space left; nothing was written by "
                 "the failed step (free some space, then run the command again)")
        fail(f"{error}".strip().splitlines()[0] + "  (check DATABASE_URL)")
