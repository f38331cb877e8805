"""Job boards described by configuration: list pages → detail pages → fields (CSS selectors).

A new Chinese site is a JSON file here (see ``example_cn.json`` and :mod:`scrapers.boards.config`),
crawled by :func:`scrapers.boards.crawl.crawl_board`.
"""
