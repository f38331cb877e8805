"""The host's content index on disk: one snapshot written by a build, memory-mapped by every worker.

Issue 18 ("one index per host, loaded at start-up instead of refitted"). A full build in the build
process (:func:`service.recommendations.index.build_in_worker`) saves the fitted ranker with
:func:`matching.snapshot.save` into ``<index_dir>/<seq>.<pid>.tmp`` (``seq``: the last sequence number
of the postings' change feed read before the postings were), adds

* ``fingerprints.npy``: one content fingerprint per row of the index (:func:`fingerprint` of the
  posting's :func:`~service.recommendations.documents.content_of`), which replaces the indexed
  document when a changed posting is compared with the indexed one (a snapshot keeps no documents);
* ``service.json``: the feed sequence number, the postings' change key and watermark, the day the
  open set is for, and which database it was read from,

fsyncs every file and the directory, renames it to ``<index_dir>/<seq>`` (atomic: a reader sees all of
a snapshot or none) and prunes all but the newest :data:`KEEP` snapshots (a worker still mapping an
unlinked file keeps reading it: the pages stay until it unmaps them). A worker starting, or a
rebuild finishing, maps the newest *valid* snapshot (:func:`newest`): of today, of this database,
whose feed row at ``seq`` is still the one it was (an emptied or replaced database is not mistaken
for the same), and that loads whole; anything else is ignored and the index is built afresh. The
deltas after ``seq`` are each worker's own, applied from the change feed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.engine import make_url

from matching import snapshot
from matching.content import ContentRanker
from matching.documents import JobDoc
from matching.taxonomy import Taxonomy
from service.recommendations.documents import content_of

log = logging.getLogger(__name__)

#: Snapshots kept in the index directory (the newest and the one before it).
KEEP = 2
#: A ``.tmp`` directory older than this is a dead build's and is removed when pruning.
STALE_TMP_SECONDS = 3600.0
SERVICE_META = "service.json"
FINGERPRINTS = "fingerprints.npy"
FORMAT = "vocmatch-index-snapshot/1"


def fingerprint(doc: JobDoc) -> int:
    """A 64-bit fingerprint of ``doc``'s content (:func:`content_of`: the application count left out):
    equal for equal content, in any process (``repr`` of a frozen dataclass of strings, numbers,
    dates, tuples and enums does not depend on hash randomisation)."""
    digest = hashlib.blake2b(repr(content_of(doc)).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little")


def fingerprints(ranker: ContentRanker) -> np.ndarray:
    """:func:`fingerprint` of each row's document of a fitted ``ranker`` (one that kept its documents)."""
    jobs = ranker.table_.jobs
    assert jobs is not None, "the ranker keeps no documents"
    return np.fromiter((fingerprint(doc) for doc in jobs), dtype=np.uint64, count=len(jobs))


def database_identity(url: str) -> str:
    """``url`` without its password (what ``service.json`` records of the database)."""
    return make_url(url).render_as_string(hide_password=True)


@dataclass(frozen=True)
class SnapshotMeta:
    """What ``service.json`` says of a snapshot (module doc); ``feed_at``: the ``at`` of the feed row
    ``seq``, or when the feed was empty (``seq`` 0) the time the build began reading."""

    seq: int
    key: tuple[Any, ...]
    day: dt.date
    database: str
    feed_at: str | None

    def to_json(self) -> dict[str, Any]:
        count, watermark, top = self.key
        return {
            "format": FORMAT,
            "seq": self.seq,
            "key": [count, watermark.isoformat() if watermark is not None else None, top],
            "day": self.day.isoformat(),
            "database": self.database,
            "feed_at": self.feed_at,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SnapshotMeta:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} snapshot")
        count, watermark, top = data["key"]
        key = (count, dt.datetime.fromisoformat(watermark) if watermark else None, top)
        return cls(
            seq=int(data["seq"]),
            key=key,
            day=dt.date.fromisoformat(data["day"]),
            database=data["database"],
            feed_at=data["feed_at"],
        )


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write(index_dir: str | Path, ranker: ContentRanker, prints: np.ndarray, meta: SnapshotMeta) -> Path:
    """Save ``ranker`` with its fingerprints and ``meta`` as ``<index_dir>/<seq>`` (module doc: a
    ``.tmp`` directory, fsynced, renamed) and prune the older snapshots; returns the snapshot's path.
    When another process already renamed a snapshot of the same ``seq`` into place, that one stays."""
    root = Path(index_dir)
    root.mkdir(parents=True, exist_ok=True)
    final = root / str(meta.seq)
    tmp = root / f"{meta.seq}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    try:
        snapshot.save(ranker, tmp)
        np.save(tmp / FINGERPRINTS, prints, allow_pickle=False)
        (tmp / SERVICE_META).write_text(json.dumps(meta.to_json()), encoding="utf-8")
        for file in tmp.iterdir():
            _fsync(file)
        _fsync(tmp)
        if final.exists():
            try:  # another build's of the same feed position: kept if whole
                old = load(final, None, lambda: meta.day).meta
                keep = old.day == meta.day and old.database == meta.database and old.feed_at == meta.feed_at
            except Exception:  # corrupt: replaced
                keep = False
            if keep:
                shutil.rmtree(tmp, ignore_errors=True)
                return final
            shutil.rmtree(final, ignore_errors=True)
        os.rename(tmp, final)
        _fsync(root)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    prune(root)
    return final


def snapshot_dirs(index_dir: str | Path) -> list[Path]:
    """The renamed (complete) snapshot directories of ``index_dir``, newest (largest ``seq``) first."""
    root = Path(index_dir)
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.isdigit()]
    return sorted(found, key=lambda p: int(p.name), reverse=True)


def prune(index_dir: str | Path, keep: int = KEEP) -> None:
    """Remove all but the ``keep`` newest snapshots, and ``.tmp`` directories of builds long dead."""
    for old in snapshot_dirs(index_dir)[keep:]:
        shutil.rmtree(old, ignore_errors=True)
    now = time.time()
    for tmp in Path(index_dir).glob("*.tmp"):
        try:
            if now - tmp.stat().st_mtime > STALE_TMP_SECONDS:
                shutil.rmtree(tmp, ignore_errors=True)
        except FileNotFoundError:
            pass


@dataclass(frozen=True)
class Loaded:
    """A snapshot mapped by a worker: the ranker (arrays memory-mapped), its fingerprints, its meta."""

    ranker: ContentRanker
    prints: np.ndarray
    meta: SnapshotMeta
    path: Path


def read_meta(path: Path) -> SnapshotMeta:
    return SnapshotMeta.from_json(json.loads((path / SERVICE_META).read_text(encoding="utf-8")))


def load(path: Path, taxonomy: Taxonomy | None, today: Callable[[], dt.date]) -> Loaded:
    """Map the snapshot at ``path`` (raises for a truncated or corrupt one: every array file is
    mapped, so a short file fails here, never in a request)."""
    meta = read_meta(path)
    ranker = snapshot.load(path, taxonomy, mmap=True, today=today)
    prints = np.load(path / FINGERPRINTS, mmap_mode="r", allow_pickle=False)
    if prints.shape != (len(ranker.position_),) or prints.dtype != np.uint64:
        raise ValueError(f"{path}: {prints.shape} fingerprints for {len(ranker.position_)} rows")
    return Loaded(ranker=ranker, prints=prints, meta=meta, path=path)


def candidates(
    index_dir: str | Path, day: dt.date, database: str, newer_than: int = -1
) -> list[tuple[Path, SnapshotMeta]]:
    """The snapshots of ``index_dir`` for ``day`` and ``database`` with a ``seq`` above ``newer_than``,
    newest first (their files not checked yet: :func:`load` does)."""
    out = []
    for path in snapshot_dirs(index_dir):
        if int(path.name) <= newer_than:
            break
        try:
            meta = read_meta(path)
        except Exception:
            log.warning("ignoring the index snapshot %s: unreadable service.json", path, exc_info=True)
            continue
        if meta.day == day and meta.database == database and meta.seq == int(path.name):
            out.append((path, meta))
    return out
