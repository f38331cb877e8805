"""One content index per host (issue 18): the build process saves the index as a snapshot in
``index_dir`` (:mod:`service.recommendations.snapshots`), and a worker starting afterwards maps it
instead of fitting one, answers as the fitted index does, and applies the changes after the
snapshot's feed position; stale, corrupt and half-written snapshots are never used, and only the
newest two are kept. Both database backends; the postings and graduates of ``test_live_index``.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import msgspec
import numpy as np
import pytest
from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.config import Settings
from service.postings.changes import PostingChange
from service.postings.models import Posting, PostingStatus
from service.recommendations import snapshots
from service.recommendations.caches import RankerCache
from service.recommendations.index import build_index, save_snapshot
from service.taxonomy.core import core_taxonomy
from tests.recommendations.test_live_index import TRADES, _ranking, _seed, _seekers


async def _write_snapshot(session: AsyncSession, settings: Settings, today: dt.date) -> Path:
    """What the build process does (:func:`service.recommendations.index._snapshot_in_worker`), in this process."""
    await session.commit()
    return save_snapshot(settings, await build_index(session, today, core_taxonomy()), today)


@pytest.mark.slow  # a spawned build process
async def test_a_second_worker_maps_the_build_processes_snapshot_and_follows_the_feed_after_it(
    session: AsyncSession, settings: Settings
) -> None:
    today = dt.date.today()
    postings = await _seed(session)
    settings = msgspec.structs.replace(settings, index_process_min_postings=0, index_rebuild_seconds=3600.0)
    fitted, worker = RankerCache(settings), RankerCache(settings)
    try:
        first = await fitted.get(session, today)  # built in the build process, saved there
        assert fitted.index.builds == 1 and fitted.index.loads == 0
        (path,) = snapshots.snapshot_dirs(settings.index_dir)
        assert not list(Path(settings.index_dir).glob("*.tmp"))
        assert first.base.table_.jobs is None  # the worker that asked maps the snapshot too
        assert isinstance(first.base.weights_, np.memmap)

        mapped = await worker.get(session, today)  # another worker starting: no fit
        assert worker.index.builds == 0 and worker.index.loads == 1
        assert isinstance(mapped.base.weights_, np.memmap) and mapped.base.table_.jobs is None
        seekers = _seekers()
        assert _ranking(mapped, seekers) == _ranking(first, seekers)

        # an application (count only) is no content change: the fingerprint says so, no delta
        await session.execute(
            update(Posting).where(Posting.id == postings[3].id).values(application_count=Posting.application_count + 1)
        )
        await session.commit()
        assert await worker.get(session, today) is mapped

        # changes after the snapshot's sequence number reach the mapped index as deltas
        for p in postings[:3]:
            p.status = PostingStatus.CLOSED
        for p in postings[10:12]:
            p.title = f"高级{p.title}"
        session.add_all(
            [
                Posting(title=t, employer_id=postings[0].employer_id, required_skills=s, province="广东省", city="广州")
                for t, s, _ in TRADES
            ]
        )
        await session.commit()
        live, fitted_live = await worker.get(session, today), await fitted.get(session, today)
        assert live.base is mapped.base and live.changes == 3 + 2 + len(TRADES)
        assert live.ids() == fitted_live.ids()
        assert _ranking(live, seekers) == _ranking(fitted_live, seekers)
        assert worker.index.builds == 0 and snapshots.snapshot_dirs(settings.index_dir) == [path]
    finally:
        fitted.close()
        worker.close()


async def test_a_snapshot_maps_at_start_and_answers_as_a_fit(session: AsyncSession, settings: Settings) -> None:
    today = dt.date.today()
    postings = await _seed(session)
    await _write_snapshot(session, settings, today)
    fitted, worker = RankerCache(), RankerCache(settings)
    first, mapped = await fitted.get(session, today), await worker.get(session, today)
    assert worker.index.builds == 0 and worker.index.loads == 1 and mapped.base.table_.jobs is None
    seekers = _seekers()
    assert _ranking(mapped, seekers) == _ranking(first, seekers)
    postings[5].required_skills = ["模具装配"]
    postings[6].status = PostingStatus.FILLED
    await session.commit()
    live, fitted_live = await worker.get(session, today), await fitted.get(session, today)
    assert live.changes == 2 and _ranking(live, seekers) == _ranking(fitted_live, seekers)


def _truncate(path: Path) -> None:
    npy = path / "weights_.npy"
    npy.write_bytes(npy.read_bytes()[: npy.stat().st_size // 2])


def _garble(path: Path) -> None:
    (path / "vocab.pickle").write_bytes(b"not a pickle")


def _lose_prints(path: Path) -> None:
    (path / snapshots.FINGERPRINTS).unlink()


def _yesterday(path: Path) -> None:
    meta = json.loads((path / snapshots.SERVICE_META).read_text())
    meta["day"] = (dt.date.fromisoformat(meta["day"]) - dt.timedelta(days=1)).isoformat()
    (path / snapshots.SERVICE_META).write_text(json.dumps(meta))


def _other_feed(path: Path) -> None:  # the database was emptied and filled again since
    meta = json.loads((path / snapshots.SERVICE_META).read_text())
    meta["feed_at"] = "2001-01-01T00:00:00+00:00"
    (path / snapshots.SERVICE_META).write_text(json.dumps(meta))


@pytest.mark.parametrize("spoil", [_truncate, _garble, _lose_prints, _yesterday, _other_feed])
async def test_a_corrupt_or_stale_snapshot_is_ignored_and_the_index_built_afresh(
    session: AsyncSession, settings: Settings, spoil: object
) -> None:
    today = dt.date.today()
    await _seed(session, n=24)
    path = await _write_snapshot(session, settings, today)
    spoil(path)  # type: ignore[operator]  # one of the functions above
    worker = RankerCache(settings)
    index = await worker.get(session, today)
    assert worker.index.loads == 0 and worker.index.builds == 1
    assert len(index) == 24 and index.base.table_.jobs is not None


async def test_a_failed_write_leaves_no_snapshot_and_no_tmp(
    session: AsyncSession, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    today = dt.date.today()
    await _seed(session, n=12)

    def fail(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(snapshots, "_fsync", fail)
    with pytest.raises(OSError, match="disk full"):
        await _write_snapshot(session, settings, today)
    assert list(Path(settings.index_dir).iterdir()) == []


async def test_the_newest_two_snapshots_are_kept_and_an_unlinked_one_keeps_serving(
    session: AsyncSession, settings: Settings
) -> None:
    today = dt.date.today()
    postings = await _seed(session, n=24)
    oldest = await _write_snapshot(session, settings, today)
    worker = RankerCache(settings)
    mapped = await worker.get(session, today)
    before = _ranking(mapped, _seekers())
    written = [oldest]
    for i in range(3):
        postings[i].title = f"高级{postings[i].title}"
        await session.commit()
        written.append(await _write_snapshot(session, settings, today))
    assert snapshots.snapshot_dirs(settings.index_dir) == written[:-3:-1]
    assert not oldest.exists()
    assert _ranking(mapped, _seekers()) == before  # its files unlinked, still mapped
    restarted = RankerCache(settings)
    assert (await restarted.get(session, today)).base.table_.jobs is None
    assert restarted.index.base_seq == int(written[-1].name)


async def test_a_snapshot_of_an_empty_feed_maps_after_later_changes(session: AsyncSession, settings: Settings) -> None:
    """Postings loaded in bulk leave the feed empty (``seq`` 0): the snapshot is still this database's
    while the feed's rows all came after it (every one is applied from the feed's start)."""
    today = dt.date.today()
    postings = await _seed(session, n=24)
    await session.execute(delete(PostingChange))
    await session.commit()
    path = await _write_snapshot(session, settings, today)
    assert path.name == "0"
    postings[0].status = PostingStatus.CLOSED
    await session.commit()
    worker = RankerCache(settings)
    live = await worker.get(session, today)
    assert worker.index.loads == 1 and worker.index.builds == 0
    assert postings[0].id not in live and len(live) == 23
