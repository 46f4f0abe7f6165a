"""/quotes: words as published, with who said them, who relayed them and where."""

from flask.views import MethodView

from schemas.common import envelope
from schemas.quotes import QuoteQueryArgsSchema
from schemas.quotes import QuoteSchema
from service import queries
from service.examples import example

from .base import Blueprint
from .base import page_response

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
        return page_response(queries.quotes_page(**args))


@blp.route("/<int:quote_id>")
class QuoteItem(MethodView):
    @blp.response(200, QuoteSchema, example=example("quote"))
    @blp.problems(404)
    def get(self, quote_id):
        """Get a quote

        With its W3C TextQuoteSelector and TextPositionSelector when the source text is held.
        """
        return queries.quote_by_id(quote_id)
