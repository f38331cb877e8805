"""``vocmatch taxonomy``: importing the skill/occupation taxonomies (ESCO, O*NET).

    vocmatch taxonomy import-esco DIR [--lang en]   ESCO CSV export (occupations, skills, relations)
    vocmatch taxonomy import-onet DIR               O*NET text files (occupations, titles, skills, relations)

Each prints a JSON report: rows read per file, what was read (occupations, skills, aliases,
relations), rows skipped by reason, what changed in the database (concepts, aliases and
occupation → skill relations added/updated/removed/unchanged/kept) and the time taken (seconds).
Importing the same release twice changes nothing the second time. Exit codes: 0 success; 1 a
missing or malformed file (nothing stored).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import click

from matching.taxonomy_sources import TaxonomySource, read_esco, read_onet
from service.cli.helpers import load_settings, run_in_session


def _import(directory: Path, read: Callable[..., TaxonomySource], as_json: bool = False) -> None:
    from service.progress import progress_for
    from service.taxonomy.importer import import_taxonomy

    started = time.perf_counter()
    with progress_for(as_json) as progress:
        try:
            source = read(directory, progress)
        except (FileNotFoundError, ValueError, UnicodeDecodeError) as exc:
            raise click.ClickException(str(exc)) from exc
        read_seconds = time.perf_counter() - started
        report = run_in_session(load_settings(), lambda s: import_taxonomy(s, source, progress))
    click.echo(
        json.dumps(
            {
                "source": str(directory),
                "scheme": source.scheme,
                "rows": source.rows,
                "read": source.counts(),
                "skipped": source.skipped,
                "stored": report.to_dict(),
                "seconds": {"read": round(read_seconds, 2), "total": round(time.perf_counter() - started, 2)},
            },
            ensure_ascii=False,
            indent=2,
        )
    )


@click.group()
def taxonomy() -> None:
    """The skill / occupation taxonomy: import published classifications."""


@taxonomy.command(name="import-esco")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--lang", default="en", show_default=True, help="language suffix of the CSV files (occupations_<lang>.csv)"
)
@click.option("--json", "as_json", is_flag=True, help="JSON output (the default) and no progress bar")
def import_esco(directory: Path, lang: str, as_json: bool) -> None:
    """Import an ESCO CSV export (occupations_<lang>.csv, skills_<lang>.csv or the skill collections,
    occupationSkillRelations_<lang>.csv) from DIRECTORY as scheme ``esco``."""
    _import(directory, lambda d, progress: read_esco(d, lang, progress), as_json)


@taxonomy.command(name="import-onet")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="JSON output (the default) and no progress bar")
def import_onet(directory: Path, as_json: bool) -> None:
    """Import the O*NET text files (Occupation Data, Alternate Titles, Sample of Reported Titles,
    Technology Skills, Skills) from DIRECTORY as scheme ``onet``."""
    _import(directory, read_onet, as_json)
