"""/speakers: who says or relays things, found by any of their names."""

from flask import url_for
from flask.views import MethodView

from schemas.common import envelope
from schemas.speakers import AliasSchema
from schemas.speakers import SpeakerMergeSchema
from schemas.speakers import SpeakerQueryArgsSchema
from schemas.speakers import SpeakerSchema
from service import documents
from service import merging
from service import queries
from service import writes
from service.auth import role_for
from service.examples import example
from service.models import Speaker

from .base import Blueprint
from .base import actor
from .base import document_response
from .base import expected_version
from .base import optional_version
from .base import page_response
from .base import with_etag
from .history import register_history

blp = Blueprint("speakers", __name__, url_prefix="/speakers",
                description="People, governments, organisations, groups and media.")
SpeakerPage = envelope(SpeakerSchema, "SpeakerPage")


def location(speaker):
    return url_for("speakers.SpeakerItem", slug=speaker.slug)


@blp.route("")
class Speakers(MethodView):
    @blp.arguments(SpeakerQueryArgsSchema, location="query")
    @blp.response(200, SpeakerPage, example=example("speakers-list"))
    @blp.problems(400)
    def get(self, args):
        """List speakers

        In slug order; `q` matches any part of a name or alias, ignoring case and accents.
        """
        return page_response(queries.speakers_page(**args))

    @blp.write(role_for("speakers", "create"), 409)
    @blp.arguments(SpeakerSchema)
    @blp.response(201, SpeakerSchema, example=example("speaker"))
    def post(self, data):
        """Create a speaker

        409 when the slug or the Wikidata id is taken. Add aliases with
        POST /speakers/{slug}/aliases.
        """
        speaker = writes.create_speaker(data, actor())
        return with_etag(queries.speaker_by_slug(speaker.slug), 201, location(speaker))


@blp.route("/<slug>")
class SpeakerItem(MethodView):
    @blp.response(200, SpeakerSchema, example=example("speaker"))
    @blp.problems(404)
    def get(self, slug):
        """Get a speaker

        With aliases (name and language) and counts of quotes, relayed quotes and stances;
        its ETag is what PATCH and DELETE need in If-Match. The slug of a speaker merged into
        another answers 308, with `Location` the remaining speaker's URL.
        """
        stored = documents.speaker(slug)
        if stored is None:  # a merged speaker's old slug (308), or a 404
            return with_etag(queries.speaker_by_slug(slug))
        return document_response("speaker", stored)

    @blp.write(role_for("speakers", "update"), 409, if_match=True)
    @blp.arguments(SpeakerSchema(partial=True))
    @blp.response(200, SpeakerSchema, example=example("speaker"))
    def patch(self, data, slug):
        """Update a speaker

        Only the fields given change. A new slug moves the speaker (see Location).
        """
        speaker = queries.speaker_by_slug(slug)
        updated = writes.update_speaker(speaker, expected_version(speaker), data, actor())
        return with_etag(queries.speaker_by_slug(updated.slug), location=location(updated))

    @blp.write(role_for("speakers", "delete"), 409, if_match=True)
    @blp.response(204)
    def delete(self, slug):
        """Delete a speaker (admin)

        409 while quotes or stances still refer to the speaker. Its aliases go with it; its
        history stays readable.
        """
        speaker = queries.speaker_by_slug(slug)
        writes.delete_speaker(speaker, expected_version(speaker), actor())


@blp.route("/<slug>/merge")
class SpeakerMerge(MethodView):
    @blp.write("admin", 404)
    @blp.arguments(SpeakerMergeSchema)
    @blp.response(200, SpeakerSchema, example=example("speaker"))
    def post(self, data, slug):
        """Merge a speaker into another (admin)

        Moves its quotes (said and relayed), stances and aliases onto the speaker `into`
        names, in one transaction; its name becomes an alias there, its history records the
        merge, and its slug answers 308 to the remaining speaker from now on. A stance the
        remaining speaker already takes on the same claim is kept once. Returns the
        remaining speaker.
        """
        speaker = queries.speaker_by_slug(slug)
        target = merging.speaker_to_merge_into(data["into"])
        merging.merge_speakers(speaker, target, actor())
        return with_etag(queries.speaker_by_slug(target.slug), location=location(target))


@blp.route("/<slug>/aliases")
class SpeakerAliases(MethodView):
    @blp.write(role_for("speakers", "update"), 404, 409, 412)
    @blp.arguments(AliasSchema)
    @blp.response(201, SpeakerSchema, example=example("speaker"))
    def post(self, data, slug):
        """Add an alias to a speaker

        Returns the speaker. 409 when the speaker already has a name that matches alike in
        that language. If-Match is optional here; when given, it must be current.
        """
        speaker = queries.speaker_by_slug(slug)
        writes.add_alias(speaker, data, actor(), optional_version(speaker))
        return with_etag(queries.speaker_by_slug(slug), 201, location(speaker))


@blp.route("/<slug>/aliases/<id:alias_id>")
class SpeakerAlias(MethodView):
    @blp.write(role_for("speakers", "update"), if_match=True)
    @blp.response(204)
    def delete(self, slug, alias_id):
        """Remove an alias from a speaker

        If-Match carries the speaker's ETag.
        """
        speaker = queries.speaker_by_slug(slug)
        writes.remove_alias(speaker, alias_id, expected_version(speaker), actor())


register_history(blp, Speaker, "speaker", "slug", "slug")
