"""Import formats: each reads a text stream and yields Items (or RecordErrors) in
Claimbase's own shape, for the one pipeline in service/importer.py."""

from dataclasses import dataclass

from . import checkthat
from . import clef
from . import euvsdisinfo
from . import liar2
from . import own
from . import reviews


@dataclass(frozen=True)
class Format:
    read: object  # read(stream, **options) → Items and RecordErrors, in file order
    media_types: frozenset  # what POST /imports accepts as its Content-Type
    description: str
    options: tuple = ()  # keyword options read() takes

    def items(self, stream, **options):
        """The adapter's items; options it does not take are left out."""
        return self.read(stream, **{k: v for k, v in options.items()
                                    if k in self.options and v is not None})


_CSV = frozenset({"text/csv"})
FORMATS = {
    "ndjson": Format(own.read_ndjson, frozenset({"application/x-ndjson"}),
                     "Claimbase's own NDJSON, as `export` writes it: one resource per line.",
                     ("resource",)),
    "csv": Format(own.read_csv, _CSV, "Claimbase's own CSV, as `export` writes it.", ("resource",)),
    "claimreview": Format(reviews.read_jsonld, frozenset({"application/ld+json",
                                                         "application/json"}),
                          "schema.org ClaimReview JSON-LD: an object, an array or a @graph."),
    "claimskg": Format(reviews.read_claimskg, _CSV, "ClaimsKG's flattened ClaimReview CSV."),
    "liar2": Format(liar2.read, _CSV, "LIAR2's PolitiFact CSV (statement, speaker, label…)."),
    "clef": Format(clef.read, frozenset({"text/tab-separated-values"}),
                   "CLEF-2018 CheckThat! debate transcripts (task 1 or 2 TSV).", ("name",)),
    "euvsdisinfo": Format(euvsdisinfo.read, _CSV,
                          "EUvsDisinfo cases (the kalkun scraper's CSV)."),
    "checkthat": Format(checkthat.read, frozenset({"text/tab-separated-values"}),
                        "CLEF-2020 CheckThat! Task 2 verified claims (vclaim, Snopes title)."),
}
