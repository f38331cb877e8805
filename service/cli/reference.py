"""``vocmatch reference`` / ``majors``: the national reference data.

    vocmatch reference load                      the shipped GB/T 2260 list and 2021 中职 catalogue
                                                 (``vocmatch migrate`` runs it; idempotent)
    vocmatch reference regions FILE --as-of D    apply a newer GB/T 2260 code list (CSV
                                                 code,name,level,parent_code): codes it lacks are
                                                 retired as of D, never deleted
    vocmatch reference majors FILE               add or update majors from a catalogue file
                                                 (CSV code,name[,valid_from,retired_on])
    vocmatch reference status                    what is loaded: counts and vintages
    vocmatch majors add CODE NAME [...]          增补专业
    vocmatch majors rename CODE NAME             更名
    vocmatch majors retire CODE --on DATE        停用: later cohorts are refused, earlier kept

File layouts: ``scrapers.regions.parse_regions_csv`` and ``service.catalog.majors``; README
("National reference data"). Each command prints a JSON report; a malformed file exits 1 and
stores nothing (the error names the row and column).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click
import msgspec

from service.cli.helpers import echo_json, load_settings, run_in_session


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise click.ClickException(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


@click.group()
def reference() -> None:
    """National reference data: GB/T 2260 regions and the 中职 专业目录."""


@reference.command(name="load")
def load_command() -> None:
    """Load the shipped region list and majors catalogue (what ``vocmatch migrate`` does after the schema)."""
    from service.catalog.reference import load_reference

    echo_json(run_in_session(load_settings(), load_reference).to_dict())


@reference.command(name="regions")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as-of",
    "as_of",
    required=True,
    type=click.DateTime(["%Y-%m-%d"]),
    help="the date the list describes, e.g. 2026-12-31 (codes it lacks are retired on it)",
)
@click.option("--partial", is_flag=True, help="the file lists only new or changed codes: retire nothing")
@click.option("--force", is_flag=True, help="apply even if a newer list is loaded")
def regions_command(path: Path, as_of: dt.datetime, partial: bool, force: bool) -> None:
    """Apply the GB/T 2260 code list in PATH (CSV: code,name,level,parent_code; parents first)."""
    from scrapers.regions import parse_regions_csv
    from service.catalog.reference import load_region_list

    try:
        records = parse_regions_csv(_read(path), str(path))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    try:
        report = run_in_session(
            load_settings(),
            lambda s: load_region_list(s, records, as_of.date(), path.name, retire_missing=not partial, force=force),
        )
    except ValueError as exc:
        raise click.ClickException(f"{path}: {exc}") from exc
    echo_json({"file": str(path), "as_of": as_of.date().isoformat(), **report.to_dict()})


@reference.command(name="majors")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def majors_command(path: Path) -> None:
    """Add or update the majors of the catalogue file PATH (names, 专业类, dates as the file says)."""
    from service.catalog.majors import parse_catalogue_csv
    from service.catalog.reference import load_majors

    try:
        majors = parse_catalogue_csv(_read(path), str(path))
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc
    report = run_in_session(load_settings(), lambda s: load_majors(s, majors, overwrite=True))
    echo_json({"file": str(path), "majors_in_file": len(majors), **report.to_dict()})


@reference.command(name="status")
def status_command() -> None:
    """Print the loaded vintages and counts (regions by level and retired, majors and retired)."""
    from sqlalchemy import func, select

    from service.catalog.models import Major, ReferenceVersion, Region

    async def work(s: Any) -> dict[str, Any]:
        levels = dict(
            (
                await s.execute(
                    select(Region.level, func.count()).where(Region.retired_on.is_(None)).group_by(Region.level)
                )
            )
            .tuples()
            .all()
        )
        versions = (await s.scalars(select(ReferenceVersion))).all()
        return {
            "versions": {v.name: {"as_of": v.as_of.isoformat(), "source": v.source} for v in versions},
            "regions": {str(k): v for k, v in levels.items()},
            "regions_retired": await s.scalar(select(func.count()).where(Region.retired_on.is_not(None))),
            "majors": await s.scalar(select(func.count()).select_from(Major)),
            "majors_retired": await s.scalar(select(func.count()).where(Major.retired_on.is_not(None))),
        }

    echo_json(run_in_session(load_settings(), work))


@click.group()
def majors() -> None:
    """Add, rename and retire majors (the same service as POST/PATCH /majors)."""


def _major_call(work: Any) -> None:
    from service.catalog.service import CatalogService, major_to_read
    from service.errors import DomainError

    try:
        major = run_in_session(load_settings(), lambda s: work(CatalogService(s)))
    except DomainError as exc:
        raise click.ClickException(exc.detail) from exc
    echo_json(major_to_read(major))


_DATE = click.DateTime(["%Y-%m-%d"])


@majors.command(name="add")
@click.argument("code")
@click.argument("name")
@click.option("--category", default=None, help="专业大类 (default: the 2021 catalogue's, from the code)")
@click.option("--class-name", default=None, help="专业类 (default: the 2021 catalogue's, from the code)")
@click.option("--valid-from", type=_DATE, default=None, help="first day of the major (YYYY-MM-DD)")
def add_command(
    code: str, name: str, category: str | None, class_name: str | None, valid_from: dt.datetime | None
) -> None:
    """Add the major CODE (six digits) named NAME (增补专业)."""
    from service.catalog.schemas import MajorCreate

    try:
        data = msgspec.convert(
            {
                "code": code,
                "name": name,
                "category": category,
                "class_name": class_name,
                "valid_from": valid_from.date() if valid_from else None,
            },
            MajorCreate,
        )
    except msgspec.ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    _major_call(lambda svc: svc.add_major(data))


@majors.command(name="rename")
@click.argument("code")
@click.argument("name")
def rename_command(code: str, name: str) -> None:
    """Rename the major CODE to NAME."""
    from service.catalog.schemas import MajorUpdate

    try:
        data = msgspec.convert({"name": name}, MajorUpdate)
    except msgspec.ValidationError as exc:
        raise click.ClickException(str(exc)) from exc
    _major_call(lambda svc: svc.update_major(code, data))


@majors.command(name="retire")
@click.argument("code")
@click.option(
    "--on",
    "on",
    type=_DATE,
    required=True,
    help="retirement date: cohorts (届) after its year are refused, earlier ones still accepted",
)
def retire_command(code: str, on: dt.datetime) -> None:
    """Retire the major CODE (it stays for the cohorts up to the date's year)."""
    from service.catalog.schemas import MajorUpdate

    _major_call(lambda svc: svc.update_major(code, MajorUpdate(retired_on=on.date())))
