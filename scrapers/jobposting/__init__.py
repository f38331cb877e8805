"""schema.org ``JobPosting`` structured data (JSON-LD and microdata) → :class:`~scrapers.items.PostingItem`.

Entry point: :func:`scrapers.jobposting.page.postings_from_html`. The modules split the work:
:mod:`~scrapers.jobposting.lenient` (JSON as found in the wild), :mod:`~scrapers.jobposting.extract`
(finding ``JobPosting`` nodes in blocks, graphs and microdata), :mod:`~scrapers.jobposting.values`
(salary, places, organisations, employment types), :mod:`~scrapers.jobposting.dates` and
:mod:`~scrapers.jobposting.text` (HTML descriptions → plain text).
"""
