"""Imports: the file format asked for, and the report of what was created."""

from marshmallow import fields
from marshmallow import validate

from service.claimreview import FORMATS

from .common import StrictSchema


class ImportArgsSchema(StrictSchema):
    format = fields.String(required=True, validate=validate.OneOf(sorted(FORMATS)), metadata={
        "description": "claimreview: ClaimReview JSON-LD; claimskg: ClaimsKG's flattened CSV."})


class ImportReportSchema(StrictSchema):
    records = fields.Integer(metadata={"description": "Records read from the file."})
    created = fields.Dict(keys=fields.String(), values=fields.Integer())
    unchanged = fields.Dict(keys=fields.String(), values=fields.Integer())
    notes = fields.List(fields.String(), metadata={
        "description": "What the import decided for some records, e.g. an empty "
                       "claimReviewed replaced by the fact-check's title."})
