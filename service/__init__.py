"""Claimbase: quotes, speakers, sources and contested claims, for fact-checkers."""

from flask import Flask

from . import config
from . import db
from . import docs
from . import errors
from . import hardening
from . import i18n
from . import ratelimits
from . import ui
from .api import Api
from .api import IdConverter
from .api import id_parameter_schema
from .resources import claims
from .resources import downloads
from .resources import factcheck
from .resources import history
from .resources import imports
from .resources import jsonld
from .resources import publishers as publisher_resource  # (service.publishers is the rule)
from .resources import quotes
from .resources import sources
from .resources import speakers
from .resources import topics

RESOURCES = (speakers.blp, sources.blp, quotes.blp, claims.blp, topics.blp, history.blp,
             jsonld.blp, imports.blp, downloads.blp, publisher_resource.blp)


def create_app(test_config=None):
    """The application: config → database → Api → resources → CLI."""
    app = Flask(__name__)
    app.config.from_mapping(config.API_SETTINGS)
    app.config.from_mapping(config.from_environment())
    if test_config:
        app.config.from_mapping(test_config)
    hardening.init_app(app)  # checked JSON, security headers, CORS (reads open, writes closed)
    app.json.ensure_ascii = False  # "Poutine", "’", « » as they are
    app.json.sort_keys = False  # fields in schema order
    app.url_map.strict_slashes = False

    db.init_app(app)
    ratelimits.init_app(app)  # after the database: a token's budget is looked up there
    app.url_map.converters["id"] = IdConverter
    api = Api(app)
    api.register_converter(IdConverter, id_parameter_schema)
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer",
                       "description": "A token from `claimbase tokens create`."})
    for blueprint in RESOURCES:
        api.register_blueprint(blueprint)
    app.register_blueprint(docs.blp)
    app.register_blueprint(factcheck.blp)
    i18n.init_app(app)  # the pages' language (the API's JSON is not translated)
    app.register_blueprint(ui.blp)
    errors.register_error_handlers(app)

    from .cli import register_commands

    register_commands(app)
    return app
