"""The pages' language: English or French, through Flask-Babel.

The language comes from the `lang` cookie that the switch on every page sets, else from
Accept-Language, else English. Only the pages for people are translated: the API's JSON
and its problem+json errors stay as they are, whatever the request's language.

Catalogues live in service/translations/ (the README's "Pages for people" gives the commands
that update them); the compiled .mo files are committed, so a fresh `pip install -e .`
needs nothing but Python.
"""

import datetime

from babel import Locale
from babel import UnknownLocaleError
from flask import request
from flask_babel import Babel
from flask_babel import format_date
from flask_babel import format_decimal
from flask_babel import get_locale

LANGUAGES = {"en": "English", "fr": "Français"}
DEFAULT_LANGUAGE = "en"
COOKIE = "lang"
COOKIE_MAX_AGE = 365 * 24 * 3600

babel = Babel()


def chosen_language():
    """The cookie's language if it is one we have, else the best of Accept-Language."""
    cookie = request.cookies.get(COOKIE)
    if cookie in LANGUAGES:
        return cookie
    return request.accept_languages.best_match(list(LANGUAGES), DEFAULT_LANGUAGE)


def page_language():
    """The language the current page is rendered in ("en" or "fr"): its `lang` attribute."""
    return str(get_locale() or DEFAULT_LANGUAGE)


def as_date(value):
    """A stored date (a date, or an ISO string as some row readers give it) for display,
    in the page's language: "13 sept. 2023", "Sep 13, 2023"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.date.fromisoformat(value[:10])
    return format_date(value, "medium")


def as_number(value):
    """A count in the page's language: 1,234,567 in English, 1 234 567 in French."""
    return format_decimal(value)


def language_name(code):
    """A language tag's name in the page's language ("French", "français"), else the tag."""
    try:
        return Locale.parse(code, sep="-").get_display_name(get_locale()) or code
    except (ValueError, TypeError, UnknownLocaleError):
        return code


def init_app(app):
    babel.init_app(app, default_locale=DEFAULT_LANGUAGE, locale_selector=chosen_language)
    app.jinja_env.filters["as_date"] = as_date
    app.jinja_env.filters["as_number"] = as_number
    app.jinja_env.filters["language_name"] = language_name
    app.jinja_env.globals["page_language"] = page_language
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
