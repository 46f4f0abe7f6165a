"""The one write core: what every writer (the API, imports, seeds) goes through.

- validation.py: a record checked by its resource's schema (the API's schemas);
- references.py: speakers, sources, topics and quotes found by natural key;
- reviews.py: a review's rating normalised and its canonical publisher;
- location.py: where a quote stands in its source's text (its selector);
- history.py: history rows, with the parent a part belongs to;
- rows.py: bulk statements; recording.py: rows created and updated, with their history;
- writer.py: what each resource's writer is given; resources.py, claims.py: one writer per
  resource; batch.py: one batch, orchestrating those parts;
- run.py: what lasts across the batches of one import (the seed guard among it).

service/writes.py holds the API's named writes (one record, one transaction) and
service/importer.py the import pipeline (batches, one transaction); both call these parts.
"""
