"""``vocmatch crawl`` / ``scrape`` / ``scrape-page``: crawling boards and trying a page.

    vocmatch scrape BOARD [--base-url URL] [--dry-run]    crawl a configured board now and store it
    vocmatch crawl BOARD …                                the same (the name the scheduler uses)
    vocmatch scrape-page URL_OR_FILE [--board B] [--json] [--stored]
                                                          print the normalised postings of one page
                                                          or file (HTML, JSON-LD, .xlsx, .csv) with the
                                                          status each would be stored with and why
                                                          (--stored: and how it is stored now, e.g.
                                                          stale); stores nothing

``BOARD`` is a name in ``scrapers/boards`` (``example_cn``) or a path to a board JSON file.
The crawl prints its report and its ``crawl_runs`` record: status (``ok``, ``partial`` when some
pages failed, ``failed``), pages fetched, items parsed, new, updated, duplicates, merged with
another board, dropped with reasons, marked stale, closed.
Exit codes: 0 success (also ``partial``); 1 the crawl or page failed (the reason is printed);
click's 2 for bad arguments.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from service.cli.helpers import item_lines, load_settings, posting_to_dict, print_json, run_in_session


@click.command()
@click.argument("board")
@click.option("--base-url", default=None, help="crawl this address instead of the board's (a saved copy)")
@click.option("--dry-run", is_flag=True, help="crawl and normalise, print the postings, store nothing")
@click.option("--json", "as_json", is_flag=True, help="JSON output (the default) and no progress bar")
def crawl(board: str, base_url: str | None, dry_run: bool, as_json: bool) -> None:
    """Crawl BOARD now (robots.txt, rate limits and retries as configured) and store its postings."""
    from scrapers.boards.config import BoardConfigError, load_board
    from service.progress import progress_for

    try:
        config = load_board(board, base_url=base_url)
    except BoardConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    if dry_run:
        from scrapers.boards.crawl import crawl_board
        from scrapers.pipeline import default_pipeline
        from service.taxonomy.core import core_taxonomy

        with progress_for(as_json) as progress:
            result = asyncio.run(crawl_board(config, progress=progress))
        piped = default_pipeline(core_taxonomy()).run(result.records())
        print_json(
            {
                "board": config.name,
                "failed_pages": result.failed,
                "postings": [posting_to_dict(i) for i in piped.items],
                "dropped": [i.as_tuple() for i in piped.rejected],
            }
        )
        return
    from service.crawling.scheduled import run_crawl

    try:
        with progress_for(as_json) as progress:
            report = run_crawl(load_settings(), board, base_url=base_url, progress=progress)
    except Exception as exc:  # recorded as a failed run by run_crawl
        raise click.ClickException(f"crawl of {config.name} failed: {type(exc).__name__}: {exc}") from exc
    print_json(report)
    if report.get("status") == "failed":
        raise click.ClickException(
            f"crawl of {config.name} failed: no list page could be read (run {report.get('run_id')})"
        )


#: ``vocmatch scrape BOARD``: the issue's name for :func:`crawl`
scrape = click.Command(
    name="scrape",
    callback=crawl.callback,
    params=crawl.params,
    help=crawl.help,
    short_help="Crawl BOARD now and store its postings (same as crawl).",
)


def _stored_now(items: list[Any]) -> dict[tuple[str, str], str]:
    """:func:`service.imports.postings.stored_now` in one read-only transaction."""
    from service.imports.postings import stored_now

    settings = load_settings()
    postings = [i for i in items if hasattr(i, "expires_at")]
    try:
        return run_in_session(settings, lambda s: stored_now(s, postings, settings.stale_after_crawls))
    except Exception as exc:  # any database problem: say so, the page is still shown
        raise click.ClickException(
            f"--stored: the database at {settings.database_url.split('@')[-1]} cannot be "
            f"read ({type(exc).__name__}: {exc}); run `vocmatch migrate` first?"
        ) from exc


def _records_from(target: str, board: str | None) -> tuple[list[Any], list[Any]]:
    from urllib.parse import urlsplit

    from scrapers.jobposting.page import postings_from_html
    from scrapers.pipeline import default_pipeline
    from service.taxonomy.core import core_taxonomy

    config = None
    if board is not None:
        from scrapers.boards.config import BoardConfigError, load_board

        try:
            config = load_board(board)
        except BoardConfigError as exc:
            raise click.ClickException(str(exc)) from exc
    path = Path(target)
    text: str | None  # the page to read, None for a table file (read into records)
    if target.startswith(("http://", "https://")):
        from scrapers.fetch import Fetcher, FetchError

        async def fetch() -> tuple[str, str]:
            async with Fetcher(config.fetch if config else None) as fetcher:
                page = await fetcher.get(target, conditional=False)
                return page.url, page.text

        try:
            url, text = asyncio.run(fetch())
        except FetchError as exc:
            raise click.ClickException(str(exc)) from exc
    elif config is not None:
        from scrapers.csvio import read_text

        url, text = path.resolve().as_uri(), read_text(path)[0]
    else:
        from scrapers.csvio import UnreadableFileError
        from service.errors import InvalidFieldError
        from service.imports.kinds import detect_kind, make_source

        try:
            records = list(make_source(detect_kind(path), path))
        except (InvalidFieldError, UnreadableFileError, OSError) as exc:
            raise click.ClickException(f"{target}: {getattr(exc, 'errors', None) or exc}") from exc
        url, text = "", None
    if text is not None:
        if config is not None:
            from scrapers.boards.crawl import item_from_detail

            records = [item_from_detail(text, url, config, 1)]
        else:
            records = postings_from_html(text, source=urlsplit(url).netloc[:32] or "page", page_url=url)
    result = default_pipeline(core_taxonomy()).run(records)
    return result.items, [*result.rejected, *result.duplicates]


@click.command(name="scrape-page")
@click.argument("target", metavar="URL_OR_FILE")
@click.option("--board", default=None, help="read the page as a detail page of this board (its selectors)")
@click.option("--json", "as_json", is_flag=True, help="print JSON (default: a short table)")
@click.option(
    "--stored",
    is_flag=True,
    help="also read the database (VOCMATCH_DATABASE_URL): how each listing is stored now — open, closed "
    "or stale — and why",
)
def scrape_page(target: str, board: str | None, as_json: bool, stored: bool) -> None:
    """Show what the pipeline makes of one page or file, with warnings per field and the status each
    posting would be stored with (open; expired: validThrough passed; closed: the page says so) and
    why. Stores nothing.

    A URL is fetched politely (robots.txt honoured). Without ``--board`` a page is read for its
    schema.org JobPosting data; a spreadsheet or CSV is read as its import kind."""
    items, dropped = _records_from(target, board)
    now_stored = _stored_now(items) if stored else {}
    if as_json:
        postings = [posting_to_dict(i) for i in items]
        if stored:
            for data, item in zip(postings, items, strict=True):
                data["stored_now"] = now_stored.get((item.source, item.external_id), "not stored")
        print_json(
            {
                "postings": postings,
                "dropped": [{"row": r.row, "column": r.column, "message": r.message} for r in dropped],
            }
        )
        return
    for item in items:
        for line in item_lines(item):
            click.echo(line)
        if stored:
            click.echo(f"    数据库 stored now: {now_stored.get((item.source, item.external_id), 'not stored')}")
    for r in dropped:
        click.echo(f"丢弃 dropped 第 {r.row} 行 row {r.row}, {r.column}: {r.message}")


commands = [crawl, scrape, scrape_page]
main = click.Group(name="vocmatch-crawl", commands=commands)

if __name__ == "__main__":
    main()
