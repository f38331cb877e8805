"""Trained ranking models on disk under ``Settings.model_dir``: save, list, load the current one, promote.

Layout::

    <model_dir>/ranker/versions/<version>.skops   the model (skops, see matching.persistence)
    <model_dir>/ranker/versions/<version>.json    its metadata (version, features, training, metrics, trained_at)
    <model_dir>/ranker/CURRENT                    the promoted version's name (one line)
    <model_dir>/ranker/decisions.jsonl            one JSON line per promotion decision

Every file is written to a temporary name and renamed, so a worker reading ``CURRENT`` never sees
a half-written pointer or model; several workers can load the same files. A model is promoted
only if it is not worse than the current one on the same held-out interactions
(:func:`promote`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any

from matching.ltr import MODEL_FAMILY, LearnedRanker
from matching.persistence import ModelFileError, load_model, read_metadata, save_model, write_atomic
from service.config import Settings

log = logging.getLogger(__name__)
#: The metric that decides promotion (mean over held-out seekers, higher is better).
PROMOTION_METRIC = "NDCG@10"
_VERSION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")


def registry_dir(settings: Settings) -> Path:
    """``<model_dir>/ranker`` (not created here)."""
    return Path(settings.model_dir) / "ranker"


def model_path(settings: Settings, version: str) -> Path:
    """Path of the ``.skops`` file of ``version``. Raises ``ValueError`` for a name that is not a plain
    file name (letters, digits, ``.``, ``_``, ``-``; at most 100 characters)."""
    if not _VERSION.match(version):
        raise ValueError(f"model version {version!r}: use letters, digits, '.', '_' and '-' only")
    return registry_dir(settings) / "versions" / f"{version}.skops"


def new_version(prefix: str = MODEL_FAMILY, now: dt.datetime | None = None) -> str:
    """A version name from the UTC time, e.g. ``ltr-hgb-v4-20250301T031500123456Z``."""
    return f"{prefix}-{(now or dt.datetime.now(dt.UTC)):%Y%m%dT%H%M%S%fZ}"


def save_version(settings: Settings, model: LearnedRanker, metadata: dict[str, Any]) -> str:
    """Store ``model`` under ``metadata["version"]`` (a new name when absent); returns the version.
    Raises ``FileExistsError`` if that version exists (versions are immutable)."""
    version = str(metadata.get("version") or new_version())
    path = model_path(settings, version)
    if path.exists():
        raise FileExistsError(f"{path}: model version {version} already exists")
    save_model(model, path, {**metadata, "version": version})
    return version


def list_versions(settings: Settings) -> list[dict[str, Any]]:
    """Metadata of every stored version, oldest first by ``trained_at``; unreadable ones are skipped."""
    folder = registry_dir(settings) / "versions"
    out = []
    for path in sorted(folder.glob("*.skops")) if folder.is_dir() else ():
        try:
            out.append(read_metadata(path))
        except ModelFileError as exc:
            log.warning("skipping model %s: %s", path, exc)
    return sorted(out, key=lambda m: str(m.get("trained_at")))


def current_version(settings: Settings) -> str | None:
    """The promoted version, or ``None`` before any promotion."""
    pointer = registry_dir(settings) / "CURRENT"
    try:
        version = pointer.read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    return version or None


def load_version(settings: Settings, version: str) -> tuple[LearnedRanker, dict[str, Any]]:
    """``(model, metadata)`` of ``version``. Raises :class:`~matching.persistence.ModelFileError`."""
    return load_model(model_path(settings, version))


def load_current_model(settings: Settings) -> tuple[LearnedRanker, dict[str, Any]] | None:
    """The promoted model and its metadata, or ``None`` when none is promoted or it cannot be loaded
    (logged): the caller then serves the content-only ranking."""
    version = current_version(settings)
    if version is None:
        return None
    try:
        return load_version(settings, version)
    except (ModelFileError, ValueError) as exc:
        log.error("current ranking model %s cannot be loaded, serving content-only ranking: %s", version, exc)
        return None


def _set_current(settings: Settings, version: str) -> None:
    folder = registry_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    write_atomic(folder / "CURRENT", (version + "\n").encode("utf-8"))


def promote(
    settings: Settings,
    version: str,
    candidate: dict[str, float],
    incumbent: dict[str, float] | None,
    metric: str = PROMOTION_METRIC,
) -> bool:
    """Make ``version`` current if its held-out ``metric`` is not below the incumbent's.

    ``candidate`` / ``incumbent`` are the two rankings' metrics on the *same* held-out interactions
    (``incumbent``: the current model, or the content-only fallback when none is current; ``None``
    promotes unconditionally). The decision is appended to ``decisions.jsonl``. Returns whether
    ``version`` was promoted. Raises ``FileNotFoundError`` when ``version`` is not stored and
    ``KeyError`` when ``metric`` is missing from ``candidate``.
    """
    if not model_path(settings, version).is_file():
        raise FileNotFoundError(f"model version {version} is not stored under {registry_dir(settings)}")
    ok = incumbent is None or candidate[metric] >= incumbent.get(metric, float("-inf"))
    previous = current_version(settings)
    if ok:
        _set_current(settings, version)
    decision = {
        "at": dt.datetime.now(dt.UTC).isoformat(),
        "version": version,
        "previous": previous,
        "metric": metric,
        "candidate": candidate.get(metric),
        "incumbent": None if incumbent is None else incumbent.get(metric),
        "promoted": ok,
    }
    with (registry_dir(settings) / "decisions.jsonl").open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(decision) + "\n")
    log.info(
        "ranking model %s %s (%s %.4f vs %s)",
        version,
        "promoted" if ok else "not promoted",
        metric,
        candidate.get(metric),
        decision["incumbent"],
    )
    return ok
