"""Crawling job boards, the service side (the boards, fetching and the pipeline are the
:mod:`scrapers` library): storing a crawl and recording its run (:mod:`service.crawling.crawl`),
which postings a board stopped listing (:mod:`service.crawling.staleness`), and the scheduled
crawls (:mod:`service.crawling.scheduled`, collected by :mod:`service.scheduling`). The command
line is ``vocmatch crawl`` / ``scrape`` / ``scrape-page`` (:mod:`service.cli.crawl`); the postings
a crawl stores go through :func:`service.imports.postings.store_postings`, as imported files do.
"""
