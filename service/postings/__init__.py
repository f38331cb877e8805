"""Job postings (schema.org ``JobPosting``).

Importing the package registers the change feed (:mod:`service.postings.changes`: its table and the
session events that write it), so every process that can change a posting records the change."""

from service.postings import changes as changes
