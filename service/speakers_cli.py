"""`claimbase speakers`: merge duplicates, list likely ones, rebuild the resolution index."""

import click
from flask import current_app
from flask.cli import with_appcontext

from . import identity
from . import merging
from .exceptions import ClaimbaseError
from .models import Speaker


@click.group("speakers")
def speakers_group():
    """Speaker identity: merge duplicates and review likely ones."""


def _speaker(slug):
    speaker = Speaker.get_or_none(Speaker.slug == slug) or identity.merged_into(slug)
    if speaker is None:
        raise click.ClickException(f"no speaker with slug {slug!r}")
    return speaker


@speakers_group.command("merge")
@click.argument("old")
@click.argument("into")
@click.option("--actor", default="cli", show_default=True,
              help="Who merges (recorded in the history).")
@with_appcontext
def merge_command(old, into, actor):
    """Merge speaker OLD into speaker INTO (slugs), as POST /speakers/OLD/merge does."""
    database = current_app.extensions["claimbase.db"]
    with database.connection_context():
        source, target = _speaker(old), _speaker(into)
        try:
            report = merging.merge_speakers(source, target, actor)
        except ClaimbaseError as error:
            raise click.ClickException(str(getattr(error, "errors", error))) from None
    click.echo(f"merged {old} into {target.slug}: {report.quotes} quote(s), {report.relayed} "
               f"relayed, {report.stances} stance(s) moved ({report.duplicate_stances} "
               f"already held), {report.aliases} alias(es); /speakers/{old} now redirects")


@speakers_group.command("duplicates")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 1000))
@with_appcontext
def duplicates_command(limit):
    """List likely duplicate speakers (same folded name, similar names) to review."""
    database = current_app.extensions["claimbase.db"]
    with database.connection_context():
        found = merging.likely_duplicates(limit)
    for pair in found:
        click.echo(f"{pair.score:.2f}\t{pair.reason}\t{pair.first.slug}\t{pair.first.name}\t"
                   f"{pair.second.slug}\t{pair.second.name}")
    if not found:
        click.echo("no likely duplicates", err=True)


@speakers_group.command("reindex")
@with_appcontext
def reindex_command():
    """Rebuild the speaker-resolution index from every name and alias."""
    database = current_app.extensions["claimbase.db"]
    with database.connection_context(), database.atomic():
        identity.reindex_all()
    click.echo("speaker index rebuilt")
