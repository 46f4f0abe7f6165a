"""Seeds and fixtures (`claimbase-dataset/1`) as an import format: one JSON file holding
topics, speakers (with aliases), sources (whose full text may sit in a file beside it),
quotes and claims, written by hand and referring to each other by slug or `ref`.

The adapter only translates: every record becomes an Item in Claimbase's own shape, in the
order topics, speakers, sources, quotes, claims, and goes through the one import pipeline
(validation, references, ratings, quote location, history). Records are numbered from 1 in
file order; `place(n)` names record n as `section[index]` for reports.

Read locally only (the CLI and the tests): a source's `text_file` is read from the
dataset's own folder, never from elsewhere, and the format is not offered over HTTP.
"""

import json
from pathlib import Path

from ..text import QuoteNotInSource
from ..text import locate_quote
from ..text import name_key
from .base import FileError
from .base import Item
from .base import RecordError

FORMAT = "claimbase-dataset/1"
SECTIONS = ("topics", "speakers", "sources", "quotes", "claims")


class Dataset:
    """One dataset file's items; `places` maps a record number to `section[index]`."""

    def __init__(self, stream, base_dir):
        self.stream = stream
        self.base_dir = Path(base_dir).resolve()
        self.places = {}
        self.source_texts = {}  # slug → text (None without text)
        self.quotes = {}  # ref → (speaker slug, quote ref for a stance)
        self.slugs = {"topics": set(), "speakers": set()}  # defined so far in the file

    def place(self, number, field_name=None):
        where = self.places.get(number, f"record {number}")
        return f"{where}.{field_name}" if field_name else where

    def items(self):
        try:
            dataset = json.load(self.stream)
        except ValueError as error:
            yield FileError(f"cannot read: {error}")
            return
        if not isinstance(dataset, dict) or dataset.get("format") != FORMAT:
            yield FileError(f"not a {FORMAT} file")
            return
        unknown = set(dataset) - set(SECTIONS) - {"format"}
        if unknown:
            yield FileError(f"unknown sections: {', '.join(sorted(unknown))}")
            return
        number = 0
        for section in SECTIONS:
            records = dataset.get(section) or []
            if not isinstance(records, list):
                yield FileError(f"{section}: expected a list")
                return
            for index, record in enumerate(records):
                number += 1
                self.places[number] = f"{section}[{index}]"
                if not isinstance(record, dict):
                    yield RecordError(number, None, "expected an object")
                    continue
                try:
                    yield Item(number, section, getattr(self, section[:-1])(record, number))
                except RecordError as error:
                    yield error

    def known(self, section, slug, number, field_name):
        """A slug of the file's own topics, speakers or sources (a dataset is whole)."""
        known = self.source_texts if section == "sources" else self.slugs[section]
        if slug not in known:
            raise RecordError(number, field_name, f"unknown reference {slug!r}")
        return {"slug": slug}

    def topic(self, record, number):
        self.slugs["topics"].add(record.get("slug"))
        return record

    def speaker(self, record, number):
        self.slugs["speakers"].add(record.get("slug"))
        spelled = {}
        for alias in record.get("aliases") or []:
            if not isinstance(alias, dict) or not isinstance(alias.get("name"), str):
                continue
            key = (name_key(alias["name"]), alias.get("lang"))
            if spelled.setdefault(key, alias["name"]) != alias["name"]:
                raise RecordError(number, "aliases", f"{alias['name']!r} and {spelled[key]!r} "
                                  "are the same name for matching")
        return record

    def source(self, record, number):
        data = {k: v for k, v in record.items() if k != "text_file"}
        if record.get("text_file"):
            path = (self.base_dir / str(record["text_file"])).resolve()
            if not path.is_relative_to(self.base_dir) or not path.is_file():
                raise RecordError(number, "text_file", f"no file {record['text_file']} "
                                  "in the dataset's folder")
            data["text"] = path.read_text(encoding="utf-8")
        self.source_texts[record.get("slug")] = data.get("text")
        return data

    def quote(self, record, number):
        data = {k: v for k, v in record.items() if k not in ("ref", "occurrence")}
        for name in ("speaker", "via", "source"):
            if record.get(name) is not None:
                data[name] = self.known("sources" if name == "source" else "speakers",
                                        record[name], number, name)
        position = None
        text = self.source_texts.get(record.get("source"))
        if text is not None and isinstance(record.get("text"), str):
            try:
                found = locate_quote(text, record["text"], record.get("occurrence", 1))
            except QuoteNotInSource as error:
                raise RecordError(number, "text", str(error)) from None
            position = {"start": found.start, "end": found.end}
        data["text_position"] = position
        ref = record.get("ref")
        if ref is not None:
            if ref in self.quotes:
                raise RecordError(number, "ref", f"duplicate ref {ref!r}")
            self.quotes[ref] = (record.get("speaker"),
                                {"text": record.get("text"), "text_position": position})
        return data

    def claim(self, record, number):
        data = {k: v for k, v in record.items() if k not in ("ref", "stances", "topics")}
        data["topics"] = [self.known("topics", slug, number, f"topics[{index}]")
                          for index, slug in enumerate(record.get("topics") or [])]
        stances = {}
        for index, stance in enumerate(record.get("stances") or []):
            where = f"stances[{index}]"
            if not isinstance(stance, dict):
                raise RecordError(number, where, "expected an object")
            values = {k: v for k, v in stance.items() if k not in ("position", "quote")}
            values["speaker"] = self.known("speakers", stance.get("speaker"), number,
                                           f"{where}.speaker")
            if stance.get("source") is not None:
                values["source"] = self.known("sources", stance["source"], number,
                                              f"{where}.source")
            if stance.get("quote") is not None:
                if stance["quote"] not in self.quotes:
                    raise RecordError(number, f"{where}.quote",
                                      f"unknown reference {stance['quote']!r}")
                speaker, ref = self.quotes[stance["quote"]]
                if speaker != stance.get("speaker"):
                    raise RecordError(number, f"{where}.quote", "the quote is by another "
                                      "speaker")
                values["quote"] = ref
            stances.setdefault(stance.get("position"), []).append(values)
        data["stances"] = stances
        return data


def read(stream, base_dir="."):
    """The items of a dataset file (see Dataset)."""
    return Dataset(stream, base_dir).items()
