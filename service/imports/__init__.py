"""Importing scraped data (job boards' postings and job seekers) into the database.

Entry point: :func:`service.imports.service.import_path`, which returns an
:class:`service.imports.report.ImportReport`.
"""
