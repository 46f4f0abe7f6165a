"""The search-box syntax, parsed once into a tree that each backend renders (service/search.py).

    words            all must match (AND between them is optional)
    "a phrase"       these words, in this order, as written (not stemmed)
    a OR b           either (OR in capitals; binds looser than AND)
    -word, -"a b"    must not match (with at least one word that must)
    word*            words starting with it
    ( … )            grouping

Words are matched as written and by stem in the text's language; punctuation splits words
("covid-19" is the phrase "covid 19"); elided articles are dropped ("d’artillerie" is
"artillerie"). Anything malformed raises QuerySyntaxError, saying what is wrong.
"""

import re
from dataclasses import dataclass

from .analysis import strip_elisions
from .analysis import words
from .costs import MAX_PREFIX_TERMS
from .costs import MAX_SEARCH_TERMS
from .costs import MIN_PREFIX_CHARS
from .costs import QueryTooCostly
from .exceptions import InvalidParameters

MAX_DEPTH = 8
_TOKEN = re.compile(r'\s*(?:(?P<open>\()|(?P<close>\))|(?P<quote>"[^"]*"?)|(?P<word>[^\s()"]+))')


class QuerySyntaxError(InvalidParameters):
    """A search query that cannot be read (a 400 saying why)."""

    def __init__(self, message):
        detail = f"Invalid search query: {message}"
        super().__init__({"q": [message]}, detail=detail)


@dataclass(frozen=True)
class Word:
    """One word, matched as written or by stem."""

    text: str


@dataclass(frozen=True)
class Phrase:
    """Words in order, as written."""

    words: tuple


@dataclass(frozen=True)
class Prefix:
    """Words starting with `text`."""

    text: str


@dataclass(frozen=True)
class Not:
    node: object


@dataclass(frozen=True)
class And:
    nodes: tuple


@dataclass(frozen=True)
class Or:
    nodes: tuple


def _lex(q):
    tokens, position = [], 0
    while position < len(q):
        match = _TOKEN.match(q, position)
        if match is None:  # only trailing spaces are left
            break
        position = match.end()
        kind = match.lastgroup
        text = match.group(kind)
        if kind == "quote" and (len(text) < 2 or not text.endswith('"')):
            raise QuerySyntaxError("a quotation mark is not closed.")
        tokens.append((kind, text))
    return tokens


class _Parser:
    def __init__(self, q):
        self.tokens = _lex(q)
        self.at = 0
        self.terms = 0
        self.prefixes = 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else (None, None)

    def take(self):
        token = self.peek()
        self.at += 1
        return token

    def parse(self):
        node = self.either(0)
        if self.peek()[0] == "close":
            raise QuerySyntaxError("a closing parenthesis has no opening one.")
        return node

    def either(self, depth):
        if depth > MAX_DEPTH:
            raise QuerySyntaxError(f"parentheses nest deeper than {MAX_DEPTH}.")
        nodes = [self.both(depth)]
        while self.peek() == ("word", "OR"):
            self.take()
            nodes.append(self.both(depth))
        nodes = [n for n in nodes if n is not None]
        if len(nodes) < 2:
            return nodes[0] if nodes else None
        return Or(tuple(nodes))

    def both(self, depth):
        nodes, seen = [], False
        while True:
            kind, text = self.peek()
            if kind is None or kind == "close" or (kind, text) == ("word", "OR"):
                break
            seen = True
            self.take()
            if (kind, text) == ("word", "AND"):
                continue
            node = self.unit(kind, text, depth)
            if node is not None:
                nodes.append(node)
        if not seen:
            if self.peek() == ("word", "OR") or self.tokens[self.at - 1:self.at] == [
                    ("word", "OR")]:
                raise QuerySyntaxError("OR needs a word on each side.")
            raise QuerySyntaxError("the query is empty.")
        if not nodes:
            return None
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def unit(self, kind, text, depth):
        if kind == "open":
            if self.peek()[0] is None:
                raise QuerySyntaxError("a parenthesis is not closed.")
            if self.peek()[0] == "close":
                raise QuerySyntaxError("parentheses enclose nothing.")
            node = self.either(depth + 1)
            if self.take()[0] != "close":
                raise QuerySyntaxError("a parenthesis is not closed.")
            return node
        if kind == "close":
            raise QuerySyntaxError("a closing parenthesis has no opening one.")
        if kind == "quote":
            return self.count(_phrase(words(text[1:-1])))
        if text.startswith("-") and len(text) > 1:
            node = self.unit("word", text[1:], depth)
            return Not(node) if node is not None else None
        if text == "-":
            following = self.peek()[0]
            if following in ("quote", "open"):
                node = self.unit(*self.take(), depth)
                return Not(node) if node is not None else None
            raise QuerySyntaxError("'-' must stand just before the word it excludes.")
        return self.count(_word(text))

    def count(self, node):
        """Count a term against the cost caps (service/costs.py), which the parser alone
        applies: hundreds of short prefix terms joined by OR once kept a worker busy until
        gunicorn killed it."""
        if node is None:
            return node
        self.terms += 1
        if self.terms > MAX_SEARCH_TERMS:
            raise QueryTooCostly(f"Too many search terms (more than {MAX_SEARCH_TERMS}): use "
                                 f"at most {MAX_SEARCH_TERMS} words or phrases.")
        if isinstance(node, Prefix):
            self.prefixes += 1
            if len(node.text) < MIN_PREFIX_CHARS:
                raise QueryTooCostly(f"Prefix term {node.text + '*'!r} is too short: give at "
                                     f"least {MIN_PREFIX_CHARS} letters before the *.")
            if self.prefixes > MAX_PREFIX_TERMS:
                raise QueryTooCostly(f"Too many prefix terms (more than {MAX_PREFIX_TERMS}): "
                                     f"use at most {MAX_PREFIX_TERMS} words ending in *.")
        return node


def _phrase(found):
    if not found:
        return None
    return Word(found[0]) if len(found) == 1 else Phrase(tuple(found))


def _word(text):
    prefix = text.endswith("*")
    found = words(strip_elisions(text.rstrip("*")))
    if prefix:
        if len(found) != 1:
            raise QuerySyntaxError(f"'{text}': '*' ends one word (letters or digits).")
        return Prefix(found[0])
    if len(found) > 1:
        return Phrase(tuple(words(text)))  # "covid-19", "l’OTAN-Russie": as written
    return _phrase(found)


def _matches_something(node):
    """Whether a node names rows that must match (a search cannot be only exclusions)."""
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_matches_something(n) for n in node.nodes)
    if isinstance(node, Or):
        return all(_matches_something(n) for n in node.nodes)
    return True


def _check(node):
    if isinstance(node, Or | And):
        for child in node.nodes:
            _check(child)
        if isinstance(node, Or) and not _matches_something(node):
            raise QuerySyntaxError("each side of OR needs a word that must match.")
    elif isinstance(node, Not):
        _check(node.node)
        if isinstance(node.node, Not):
            raise QuerySyntaxError("a word is excluded twice ('--').")


def parse(q):
    """The tree of a search query; QuerySyntaxError when it cannot be read, or names no word
    to look for (only punctuation, only exclusions)."""
    node = _Parser(q or "").parse()
    if node is None:
        raise QuerySyntaxError("it has no word to search for (letters or digits).")
    _check(node)
    if not _matches_something(node):
        raise QuerySyntaxError("it only excludes words: add one that must match.")
    return node
