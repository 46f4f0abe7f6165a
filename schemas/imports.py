"""Imports: the file format asked for, and the report of what the import did."""

from marshmallow import fields
from marshmallow import validate

from service.formats import FORMATS
from service.formats.own import RESOURCES

from .common import SafeString
from .common import StrictSchema

DUPLICATES = ("report", "similar", "attach", "ignore")
DUPLICATES_HELP = ("New claims that duplicate a claim of the database (docs/matching.md): "
                   "`report` lists in `near_duplicates` those whose normalised text is equal "
                   "(case, accents, punctuation, spacing); `similar` also those of similarity "
                   "0.9 or more (reordered clauses, a review's title; one matching query per "
                   "new claim: slower); `attach` finds them as `similar` does and gives their "
                   "reviews, stances, appearances and topics to that claim instead of creating "
                   "another; `ignore` does not look.")
FORMAT_HELP = "; ".join(f"{name}: {fmt.description}" for name, fmt in FORMATS.items())


class ImportArgsSchema(StrictSchema):
    format = fields.String(required=True, validate=validate.OneOf(list(FORMATS)),
                           metadata={"description": FORMAT_HELP})
    resource = fields.String(validate=validate.OneOf(RESOURCES), metadata={
        "description": "For ndjson and csv: the resource the file holds (default claims)."})
    name = SafeString(validate=validate.Length(min=1, max=255), metadata={
        "description": "For clef: the file's name, which names the debate "
                       "(Task2-English-1st-Presidential.tsv)."})
    skip_invalid = fields.Boolean(load_default=False, metadata={
        "description": "Import the valid records and report the others (default: one bad "
                       "record and nothing is imported)."})
    duplicates = fields.String(load_default="report", validate=validate.OneOf(DUPLICATES),
                               metadata={"description": DUPLICATES_HELP})


class ImportProblemSchema(StrictSchema):
    line = fields.Integer(metadata={"description": "Where the record starts in the file."})
    record = fields.Integer(metadata={
        "description": "Instead of `line`, for JSON-LD: the record's number in the file."})
    field = fields.String(allow_none=True, metadata={"description": "The field at fault."})
    reason = fields.String()


class ImportChangeSchema(StrictSchema):
    line = fields.Integer(metadata={"description": "Where the record starts in the file."})
    resource = fields.String(metadata={"description": "topic, speaker, source, quote or claim"})
    id = fields.Integer()
    slug = fields.String(allow_none=True)
    fields_ = fields.List(fields.String(), data_key="fields", attribute="fields", metadata={
        "description": "The fields the record changed (only those it carries; null clears)."})


class NearDuplicateSchema(StrictSchema):
    id = fields.Integer(metadata={"description": "The existing claim."})
    score = fields.Float(metadata={"description": "The similarity, in [0, 1]."})


class NearDuplicateRecordSchema(StrictSchema):
    line = fields.Integer(metadata={"description": "Where the record starts in the file."})
    duplicates = fields.List(fields.Nested(NearDuplicateSchema))


class ImportReportSchema(StrictSchema):
    format = fields.String()
    records = fields.Integer(metadata={"description": "Records read from the file."})
    created = fields.Dict(keys=fields.String(), values=fields.Integer())
    updated = fields.Dict(keys=fields.String(), values=fields.Integer())
    unchanged = fields.Dict(keys=fields.String(), values=fields.Integer())
    rejected = fields.Integer(metadata={"description": "Records not imported (see problems)."})
    committed = fields.Boolean(metadata={"description": "Whether anything was written."})
    problems = fields.List(fields.Nested(ImportProblemSchema))
    changes = fields.List(fields.Nested(ImportChangeSchema), metadata={
        "description": "Each existing record the import updated, with the fields it changed."})
    unmapped_ratings = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Verdict labels that no rule normalises (docs/ratings.md), with how "
                       "many reviews carry each: imported with a null rating, never guessed."})
    notes = fields.List(fields.String(), metadata={
        "description": "What the import decided for some records, e.g. an empty "
                       "claimReviewed replaced by the fact-check's title."})
    near_duplicates = fields.List(fields.Nested(NearDuplicateRecordSchema), metadata={
        "description": "The records whose claim nearly duplicates claims of the database."})


JOB_STATUSES = ("queued", "running", "done", "failed")


class ImportJobSchema(StrictSchema):
    """An import too big to run inside its request (service/jobs.py)."""

    id = fields.Integer()
    status = fields.String(validate=validate.OneOf(JOB_STATUSES), metadata={
        "description": "queued (waiting for a worker, or for its next try after a worker "
                       "stopped), running, done (committed) or failed (nothing written)."})
    format = fields.String()
    resource = fields.String(allow_none=True)
    size = fields.Integer(metadata={"description": "The file's size in bytes."})
    bytes_read = fields.Integer(metadata={"description": "Bytes of the file read so far."})
    records = fields.Integer(metadata={
        "description": "Records read so far; once finished, every record of the file."})
    submitted_at = fields.DateTime()
    started_at = fields.String(allow_none=True, metadata={
        "description": "While running: when this try started (UTC)."})
    finished_at = fields.DateTime(allow_none=True)
    report = fields.Nested(ImportReportSchema, allow_none=True, metadata={
        "description": "Once finished: the report, as a synchronous import gives it (a failed "
                       "import lists each bad record's line, field and reason)."})
    error = fields.String(allow_none=True, metadata={
        "description": "Why a job failed when it has no report (not UTF-8, a worker that "
                       "kept stopping…)."})
