"""History: each resource's recorded changes, and the global /changes feed."""

from flask.views import MethodView

from schemas.changes import ChangeQueryArgsSchema
from schemas.changes import ChangeSchema
from schemas.changes import HistoryArgsSchema
from schemas.common import envelope
from service import queries
from service.examples import example

from .base import Blueprint
from .base import page_response

ChangePage = envelope(ChangeSchema, "ChangePage")
blp = Blueprint("changes", __name__, url_prefix="/changes",
                description="Every write: who (token), when, what, each field before → after.")


def register_history(resource_blp, model, resource, field, param):
    """Add GET {prefix}/<param>/history to a resource blueprint (`param` names the model's
    `field`): its changes, oldest first, with those of its parts; readable after deletion."""
    converter = "id:" if field == "id" else ""

    class History(MethodView):
        @resource_blp.arguments(HistoryArgsSchema, location="query")
        @resource_blp.response(200, ChangePage, example=example("claim-history"))
        @resource_blp.problems(400, 404)
        def get(self, args, **lookup):
            target = queries.history_target(model, resource, (field, lookup[param]))
            return page_response(queries.history_page(resource, target, **args))

    History.get.__doc__ = (f"History of a {resource}\n\nEvery recorded write to the {resource} "
                           "and its parts, oldest first, with who made it and the fields "
                           "it changed; readable after deletion.")
    History.__name__ = f"{resource.title()}History"
    resource_blp.route(f"/<{converter}{param}>/history")(History)


@blp.route("")
class Changes(MethodView):
    @blp.arguments(ChangeQueryArgsSchema, location="query")
    @blp.response(200, ChangePage, example=example("changes"))
    @blp.problems(400)
    def get(self, args):
        """The change feed

        Every write, oldest first; poll with the last `links.next` to see new ones. Filter by
        resource, by token name and by time.
        """
        return page_response(queries.changes_page(**args))
