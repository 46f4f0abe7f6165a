"""/quotes: words as published, with who said them, who relayed them and where."""

from flask import url_for
from flask.views import MethodView

from schemas.common import envelope
from schemas.quotes import QuoteInputSchema
from schemas.quotes import QuoteQueryArgsSchema
from schemas.quotes import QuoteSchema
from service import documents
from service import queries
from service import writes
from service.auth import role_for
from service.examples import example
from service.models import Quote

from .base import Blueprint
from .base import actor
from .base import document_response
from .base import documents_page_response
from .base import expected_version
from .base import page_response
from .base import with_etag
from .history import register_history

blp = Blueprint("quotes", __name__, url_prefix="/quotes",
                description="Verbatim quotes, located in their source text.")
QuotePage = envelope(QuoteSchema, "QuotePage")


@blp.route("")
class Quotes(MethodView):
    @blp.arguments(QuoteQueryArgsSchema, location="query")
    @blp.response(200, QuotePage, example=example("quotes-list"))
    @blp.problems(400)
    def get(self, args):
        """List quotes

        In id order. `speaker=` and `via=` take ids, slugs, names or aliases in any script;
        `meta.speakers` says who matched and how, `meta.unmatched` lists unknown names with
        suggestions.
        """
        stored = documents.quotes_page(**args)
        if stored is not None:
            return documents_page_response(stored, QuotePage)
        return page_response(queries.quotes_page(**args))

    @blp.write(role_for("quotes", "create"), 409)
    @blp.arguments(QuoteInputSchema)
    @blp.response(201, QuoteSchema, example=example("quote"))
    def post(self, data):
        """Create a quote

        When the source holds its text, the quote must be found there verbatim (422
        otherwise); its selectors are computed and stored.
        """
        quote = writes.create_quote(data, actor())
        location = url_for("quotes.QuoteItem", quote_id=quote.id)
        return with_etag(queries.quote_by_id(quote.id), 201, location)


@blp.route("/<id:quote_id>")
class QuoteItem(MethodView):
    @blp.response(200, QuoteSchema, example=example("quote"))
    @blp.problems(404)
    def get(self, quote_id):
        """Get a quote

        With its W3C TextQuoteSelector and TextPositionSelector when the source text is held.
        """
        stored = documents.quote(quote_id)
        if stored is None:
            return with_etag(queries.quote_by_id(quote_id))  # a 404
        return document_response("quote", stored)

    @blp.write(role_for("quotes", "update"), 409, if_match=True)
    @blp.arguments(QuoteInputSchema(partial=True))
    @blp.response(200, QuoteSchema, example=example("quote"))
    def patch(self, data, quote_id):
        """Update a quote

        A new text, source or occurrence is located again in the source text.
        """
        quote = queries.quote_by_id(quote_id)
        writes.update_quote(quote, expected_version(quote), data, actor())
        return with_etag(queries.quote_by_id(quote_id))

    @blp.write(role_for("quotes", "delete"), 409, if_match=True)
    @blp.response(204)
    def delete(self, quote_id):
        """Delete a quote

        Stances that cited it keep their position, without evidence.
        """
        quote = queries.quote_by_id(quote_id)
        writes.delete_quote(quote, expected_version(quote), actor())


register_history(blp, Quote, "quote", "id", "quote_id")
