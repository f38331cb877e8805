"""``vocmatch import``: postings and job seekers from files (README, "Loading real data"), with the
``--dry-run`` preview."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import click

from service.cli.helpers import echo_json, item_lines, load_settings, posting_to_dict, run_in_session


def preview_lines(preview: Any, limit: int = 20) -> list[str]:
    """``vocmatch import --dry-run`` as text: the mapping, the first ``limit`` postings, the counts."""
    postings = [i for i in preview.items if hasattr(i, "salary")]
    lines = [f"预览 dry run (nothing stored): {preview.path} read as {preview.kind}"]
    if preview.mapping is not None:
        lines.append(
            f"  映射 mapping {preview.mapping.origin} (source {preview.mapping.source}): {preview.mapping.describe()}"
        )
    for item in postings[:limit]:
        lines += ["  " + line for line in item_lines(item)]
    if len(postings) > limit:
        lines.append(f"  … {len(postings) - limit} more postings")
    others = len(preview.items) - len(postings)
    lines.append(
        f"读取 rows read {preview.rows_read}; 可导入 would store {len(postings)} postings"
        + (f" and {others} job seekers" if others else "")
        + f"; 拒绝 rejected {len(preview.rejected)}; 重复 duplicates {len(preview.duplicates)}; "
        f"警告 warnings {len(preview.warnings)}"
    )
    unseen = [w for item in postings[limit:] for w in item.warnings][:20]  # those shown above are not repeated
    lines += [f"  警告 warning 第 {w.row} 行 row {w.row}, {w.column}: {w.message}" for w in unseen]
    lines += [f"  拒绝 rejected 第 {r.row} 行 row {r.row}, {r.column}: {r.message}" for r in preview.rejected[:20]]
    lines += [f"  重复 duplicate 第 {r.row} 行 row {r.row}: {r.message}" for r in preview.duplicates[:20]]
    return lines


def preview_dict(preview: Any, limit: int = 20) -> dict[str, Any]:
    """``vocmatch import --dry-run --json``: the same as :func:`preview_lines`, as data."""
    postings = [i for i in preview.items if hasattr(i, "salary")]

    def issue(r: Any) -> dict[str, Any]:
        return {"row": r.row, "column": r.column, "message": r.message}

    return {
        "file": preview.path,
        "kind": preview.kind,
        "dry_run": True,
        "mapping": None
        if preview.mapping is None
        else {"file": preview.mapping.origin, "source": preview.mapping.source, "columns": preview.mapping.columns},
        "rows_read": preview.rows_read,
        "would_store": len(postings),
        "rejected": [issue(r) for r in preview.rejected],
        "duplicates": [issue(r) for r in preview.duplicates],
        "warnings": len(preview.warnings),
        "postings": [posting_to_dict(i) for i in postings[:limit]],
    }


@click.command(name="import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--kind", default=None, help="force the source kind instead of detecting it from the file")
@click.option(
    "--mapping",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="a mapping file (TOML) naming which column of a board's CSV/XLSX export holds what "
    '(README: "Any board\'s export")',
)
@click.option(
    "--dry-run", is_flag=True, help="read and normalise, print a preview of what would be stored; store nothing"
)
@click.option("--limit", type=click.IntRange(1), default=20, show_default=True, help="--dry-run: postings shown")
@click.option("--json", "as_json", is_flag=True, help="JSON output (the default for an import) and no progress bar")
def import_(
    paths: tuple[Path, ...], kind: str | None, mapping: Path | None, dry_run: bool, limit: int, as_json: bool
) -> None:
    """Import postings or job seekers from files (see README: "Loading real data").

    Prints, per file, rows read, stored, already present and rejected (with row and reason).
    Importing the same file twice stores nothing twice. A board's own export is read through
    --mapping; --dry-run shows what would be stored. Exits 1 if a file cannot be read, yields
    nothing, or does not fit the mapping (the message lists its columns and how to map them).
    """
    from service.errors import InvalidFieldError
    from service.imports.service import import_path, preview_path
    from service.progress import progress_for

    settings = None if dry_run else load_settings()
    failed = False
    for path in paths:
        try:
            with progress_for(as_json) as progress:
                if dry_run:
                    preview = asyncio.run(preview_path(path, kind, mapping, progress))
                else:
                    assert settings is not None  # loaded above unless a dry run
                    # run_in_session runs the import now, within this iteration: path is this file
                    report = run_in_session(settings, lambda s: import_path(s, path, kind, mapping, progress))
        except InvalidFieldError as exc:
            click.echo(f"{path}: {exc.detail}", err=True)
            failed = True
            continue
        if dry_run:
            if as_json:
                echo_json(preview_dict(preview, limit))
            else:
                click.echo("\n".join(preview_lines(preview, limit)))
            continue
        echo_json({"file": str(path), **report.to_dict()})
    if failed:
        sys.exit(1)
