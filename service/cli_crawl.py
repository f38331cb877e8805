"""Command-line commands for crawling boards and trying a page (registered in ``service.cli``).

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
import dataclasses
import json
from pathlib import Path
from typing import Any

import click


def _settings():  # noqa: ANN202 - lazy: service.cli imports this module
    from service.cli import _settings as settings

    return settings()


def _print(obj: object) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def posting_to_dict(item: Any) -> dict[str, Any]:
    """A posting item as JSON-ready data, warnings as ``{"row", "column", "message"}``, with the
    status it would be stored with (``{"label": open|expired|closed, "stored": …, "reason": …}``)."""
    from service.imports.postings import stored_status

    data = dataclasses.asdict(item)
    data["warnings"] = [{"row": w.row, "column": w.column, "message": w.message} for w in item.warnings]
    data.pop("columns", None)
    if hasattr(item, "expires_at"):
        status = stored_status(item)
        data["status"] = {"label": status.label, "stored": str(status.status or "open"), "reason": status.reason}
    return data


def _pay(item: Any) -> str:
    salary = item.salary
    bounds = (salary.min_monthly, salary.max_monthly) if salary else (None, None)
    if bounds == (None, None):
        return f"{item.salary_text} → 未知 unknown" if item.salary_text else "—"
    low, high = (f"{b:,}" if b is not None else "" for b in bounds)
    shown = f"{low}+" if not high else f"≤{high}" if not low else low if low == high else f"{low}–{high}"
    return f"{item.salary_text or ''} → {shown} 元/月".strip()


def _place(item: Any) -> str:
    names = [x for x in (item.province, item.city if item.city != item.province else None) if x]
    if names:
        return " ".join(names) + (f" ({item.region_code})" if item.region_code else "")
    return item.location_text or item.city or "—"


def item_lines(item: Any) -> list[str]:
    """A posting as a few lines for a terminal: what it is, where, pay, status and warnings."""
    from service.imports.postings import stored_status

    status = stored_status(item)
    head = (f"第 {item.row} 行 row {item.row}: {item.title} | {item.employer_name or '—'} | {_place(item)} | "
            f"{_pay(item)}")
    lines = [head]
    extra = [f"id {item.external_id}"]
    if item.skills:
        extra.append("技能 skills " + "、".join(item.skills[:8]))
    if item.posted_on:
        extra.append(f"发布 posted {item.posted_on.isoformat()}")
    if item.reference:
        extra.append(f"编号 reference {item.reference}")
    if item.source_url:
        extra.append(item.source_url)
    lines.append("    " + "; ".join(extra))
    lines.append(f"    状态 status: {status.label} — {status.reason}")
    lines += [f"    警告 warning {w.column}: {w.message}" for w in item.warnings]
    return lines


def preview_lines(preview: Any, limit: int = 20) -> list[str]:
    """``vocmatch import --dry-run`` as text: the mapping, the first ``limit`` postings, the counts."""
    postings = [i for i in preview.items if hasattr(i, "salary")]
    lines = [f"预览 dry run (nothing stored): {preview.path} read as {preview.kind}"]
    if preview.mapping is not None:
        lines.append(f"  映射 mapping {preview.mapping.origin} (source {preview.mapping.source}): "
                     f"{preview.mapping.describe()}")
    for item in postings[:limit]:
        lines += ["  " + line for line in item_lines(item)]
    if len(postings) > limit:
        lines.append(f"  … {len(postings) - limit} more postings")
    others = len(preview.items) - len(postings)
    lines.append(f"读取 rows read {preview.rows_read}; 可导入 would store {len(postings)} postings"
                 + (f" and {others} job seekers" if others else "")
                 + f"; 拒绝 rejected {len(preview.rejected)}; 重复 duplicates {len(preview.duplicates)}; "
                   f"警告 warnings {len(preview.warnings)}")
    unseen = [w for item in postings[limit:] for w in item.warnings][:20]  # those shown above are not repeated
    lines += [f"  警告 warning 第 {w.row} 行 row {w.row}, {w.column}: {w.message}" for w in unseen]
    lines += [f"  拒绝 rejected 第 {r.row} 行 row {r.row}, {r.column}: {r.message}" for r in preview.rejected[:20]]
    lines += [f"  重复 duplicate 第 {r.row} 行 row {r.row}: {r.message}" for r in preview.duplicates[:20]]
    return lines


def preview_dict(preview: Any, limit: int = 20) -> dict[str, Any]:
    """``vocmatch import --dry-run --json``: the same as :func:`preview_lines`, as data."""
    postings = [i for i in preview.items if hasattr(i, "salary")]
    issue = lambda r: {"row": r.row, "column": r.column, "message": r.message}  # noqa: E731
    return {"file": preview.path, "kind": preview.kind, "dry_run": True,
            "mapping": None if preview.mapping is None else {"file": preview.mapping.origin,
                                                              "source": preview.mapping.source,
                                                              "columns": preview.mapping.columns},
            "rows_read": preview.rows_read, "would_store": len(postings),
            "rejected": [issue(r) for r in preview.rejected], "duplicates": [issue(r) for r in preview.duplicates],
            "warnings": len(preview.warnings), "postings": [posting_to_dict(i) for i in postings[:limit]]}


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
        _print({"board": config.name, "failed_pages": result.failed,
                "postings": [posting_to_dict(i) for i in piped.items],
                "dropped": [i.as_tuple() for i in piped.rejected]})
        return
    from service.postings.scheduled import run_crawl

    try:
        with progress_for(as_json) as progress:
            report = run_crawl(_settings(), board, base_url=base_url, progress=progress)
    except Exception as exc:  # recorded as a failed run by run_crawl
        raise click.ClickException(f"crawl of {config.name} failed: {type(exc).__name__}: {exc}") from exc
    _print(report)
    if report.get("status") == "failed":
        raise click.ClickException(f"crawl of {config.name} failed: no list page could be read "
                                   f"(run {report.get('run_id')})")


#: ``vocmatch scrape BOARD``: the issue's name for :func:`crawl`
scrape = click.Command(name="scrape", callback=crawl.callback, params=crawl.params, help=crawl.help,
                       short_help="Crawl BOARD now and store its postings (same as crawl).")


def _stored_now(items: list[Any]) -> dict[tuple[str, str], str]:
    """:func:`service.imports.postings.stored_now` in one read-only transaction."""
    from service.cli import _run_in_session
    from service.imports.postings import stored_now

    settings = _settings()
    postings = [i for i in items if hasattr(i, "expires_at")]
    try:
        return _run_in_session(settings, lambda s: stored_now(s, postings, settings.stale_after_crawls))
    except Exception as exc:  # noqa: BLE001 - any database problem: say so, the page is still shown
        raise click.ClickException(f"--stored: the database at {settings.database_url.split('@')[-1]} cannot be "
                                   f"read ({type(exc).__name__}: {exc}); run `vocmatch migrate` first?") from exc


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
        url = text = None
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
@click.option("--stored", is_flag=True,
              help="also read the database (VOCMATCH_DATABASE_URL): how each listing is stored now — open, closed "
                   "or stale — and why")
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
        _print({"postings": postings,
                "dropped": [{"row": r.row, "column": r.column, "message": r.message} for r in dropped]})
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
