"""What the ``vocmatch`` commands share: settings, one transaction, JSON output, the time-zone
option and how a posting is shown on a terminal. Every command module of :mod:`service.cli`
imports from here and from no other command module.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import click
import msgspec

from service.config import TIMEZONE, Settings

T = TypeVar("T")


def load_settings() -> Settings:
    """The settings from ``VOCMATCH_*`` (README, "Configuration"); a bad value exits 1 naming it."""
    try:
        return Settings.from_env()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from exc


def run_in_session(settings: Settings, work: Callable[[Any], Awaitable[T]]) -> T:
    """:func:`service.db.run_in_session`, imported when called (a command starts without SQLAlchemy)."""
    from service.db import run_in_session as run

    return run(settings, work)


def echo_json(obj: object) -> None:
    """``obj`` (msgspec structs, dataclasses, plain data) as indented JSON, Chinese unescaped."""
    click.echo(json.dumps(msgspec.to_builtins(obj), ensure_ascii=False, indent=2))


def print_json(obj: object) -> None:
    """Plain data as indented JSON, Chinese unescaped; anything else (dates, paths) as ``str``."""
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def timezone_option(help: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--timezone`` (default :data:`service.config.TIMEZONE`) of the scheduler commands."""
    return click.option("--timezone", default=TIMEZONE, show_default=True, help=help)


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
    head = (
        f"第 {item.row} 行 row {item.row}: {item.title} | {item.employer_name or '—'} | {_place(item)} | {_pay(item)}"
    )
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
