"""Swagger UI assets, served by the app itself so that /docs works offline."""

from pathlib import Path

import flask_swagger_ui
from flask import Blueprint
from flask import send_from_directory

ASSETS = Path(flask_swagger_ui.__file__).resolve().parent / "dist"
OWN_ASSETS = Path(__file__).resolve().parent / "static"
INIT_SCRIPT = "docs-init.js"  # starts Swagger UI without inline script (see hardening.py)

blp = Blueprint("docs_assets", __name__)


@blp.route("/docs/assets/<path:filename>")
def swagger_ui_asset(filename):
    """A Swagger UI file (JavaScript, CSS, icons) from the flask-swagger-ui package."""
    folder = OWN_ASSETS if filename == INIT_SCRIPT else ASSETS
    return send_from_directory(folder, filename, max_age=86400)
