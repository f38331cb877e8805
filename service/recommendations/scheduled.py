"""Scheduled retraining of the learned ranker (APScheduler 3.x job ``retrain_ranker``).

Each run: read every posting, every graduate with applications and the applications' status
histories; turn applications into graded interactions (:func:`grade_of`); split the graduates,
train on one part and measure on the other (:func:`matching.ltr_train.retrain`); store the new
model with its metadata; promote it only if its held-out NDCG@10 is not below the current
model's on the same held-out applications (or, with no current model, the content-only
ranking's). Runs in the scheduler process, never in web workers; reads only.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from matching.documents import JobDoc, SeekerDoc
from matching.ltr_features import FEATURE_NAMES, Interaction
from matching.ltr_train import retrain
from service.config import Settings
from service.jobs.cron import add_cron_job
from service.recommendations.grades import STATUS_GRADES, grade_of
from service.recommendations.models_registry import (
    PROMOTION_METRIC,
    current_version,
    load_current_model,
    new_version,
    promote,
    save_version,
)
from service.recommendations.repository import RecommendationRepository

__all__ = [
    "STATUS_GRADES",
    "add_retrain_job",
    "grade_of",
    "load_interactions",
    "load_training_data",
    "read_training_data",
    "retrain_on_data",
    "retrain_ranker",
    "retrain_ranker_async",
]

log = logging.getLogger(__name__)
#: Cron fields for the scheduler: Sundays 03:00 in the scheduler's time zone.
CRON: dict[str, int | str] = {"day_of_week": "sun", "hour": 3, "minute": 0}
#: Name of the job in the scheduler and in ``vocmatch jobs run``.
JOB_ID = "retrain_ranker"
#: A run missed (scheduler down) still happens if the scheduler is back within this many seconds.
MISFIRE_GRACE_SECONDS = 6 * 3600


async def load_interactions(session: Any) -> list[Interaction]:
    """:meth:`RecommendationRepository.interactions` (kept for callers of this module)."""
    return await RecommendationRepository(session).interactions()


async def load_training_data(session: Any) -> tuple[list[JobDoc], dict[int, SeekerDoc], list[Interaction]]:
    """(every posting, the graduates who applied by id, :func:`load_interactions`):
    :meth:`RecommendationRepository.training_data`."""
    return await RecommendationRepository(session).training_data()


async def read_training_data(settings: Settings) -> tuple[list[JobDoc], dict[int, SeekerDoc], list[Interaction]]:
    """What a retraining run reads from ``settings``' database (:func:`load_training_data`, in a
    session of its own): the only part of :func:`retrain_ranker_async` that touches the database."""
    from service.db import make_engine, session_scope

    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            return await load_training_data(session)
    finally:
        await engine.dispose()


async def retrain_on_data(
    settings: Settings,
    data: tuple[list[JobDoc], dict[int, SeekerDoc], list[Interaction]],
    seed: int = 0,
    test_fraction: float = 0.3,
    progress: Any = None,
) -> dict[str, Any]:
    """The rest of :func:`retrain_ranker_async` once ``data`` (:func:`read_training_data`) is read:
    train and evaluate, store the version, promote it or not (``settings``' model folder only; no
    database). Tells ``progress`` steps 2 and 3 of 3; returns the same report."""
    tell = progress or (lambda phase, done, total: None)
    jobs, seekers, interactions = data
    current = load_current_model(settings)
    incumbent = current[0] if current and list(current[0].feature_names) == list(FEATURE_NAMES) else None
    try:
        result = await asyncio.to_thread(
            retrain, jobs, seekers, interactions, incumbent=incumbent, test_fraction=test_fraction, seed=seed
        )
    except ValueError as exc:
        log.info("ranker retraining skipped: %s", exc)
        return {"status": "skipped", "reason": str(exc), "current": current_version(settings)}
    tell("train", 2, 3)
    versions_metrics = {
        name: {k: round(v, 4) if isinstance(v, float) else v for k, v in m.items()}
        for name, m in result.metrics.items()
    }
    version = save_version(
        settings,
        result.model,
        {
            "version": new_version(),
            "training": {**result.training, "seed": seed, "test_fraction": test_fraction},
            "metrics": versions_metrics,
            "trained_at": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    baseline = result.metrics.get("incumbent") if incumbent is not None else result.metrics["content"]
    promoted = promote(settings, version, result.metrics["candidate"], baseline, PROMOTION_METRIC)
    tell("train", 3, 3)
    return {
        "status": "promoted" if promoted else "kept",
        "version": version,
        "current": current_version(settings),
        "compared_with": "incumbent" if incumbent is not None else "content",
        "metrics": versions_metrics,
        "training": result.training,
    }


async def retrain_ranker_async(
    settings: Settings, seed: int = 0, test_fraction: float = 0.3, progress: Any = None
) -> dict[str, Any]:
    """One retraining run (see the module doc): :func:`read_training_data`, then
    :func:`retrain_on_data`. Returns a report: ``status`` (``promoted``,
    ``kept`` or ``skipped``), ``version``, ``metrics`` (held-out recall@10/NDCG@10/MRR of
    ``candidate``, ``incumbent`` and ``content``), ``training`` summary and ``reason`` when skipped.
    ``progress("train", done, 3)`` (optional) is told the steps done: data loaded, model trained and
    evaluated, version saved."""
    tell = progress or (lambda phase, done, total: None)
    tell("train", 0, 3)
    data = await read_training_data(settings)
    tell("train", 1, 3)
    return await retrain_on_data(settings, data, seed=seed, test_fraction=test_fraction, progress=progress)


def retrain_ranker(
    settings: Settings, seed: int = 0, test_fraction: float = 0.3, progress: Any = None
) -> dict[str, Any]:
    """APScheduler job: :func:`retrain_ranker_async` in a fresh event loop (scheduler threads have none)."""
    report = asyncio.run(retrain_ranker_async(settings, seed=seed, test_fraction=test_fraction, progress=progress))
    log.info("ranker retraining: %s", {k: report.get(k) for k in ("status", "version", "current", "reason")})
    return report


def add_retrain_job(scheduler: Any, settings: Settings, timezone: str) -> Any:
    """Add the weekly :func:`retrain_ranker` job (:data:`CRON` in ``timezone``, an IANA name) to an
    APScheduler 3.x scheduler as :data:`JOB_ID`: missed runs coalesce into one, one instance at a
    time, :data:`MISFIRE_GRACE_SECONDS` of grace. Returns the job."""
    return add_cron_job(
        scheduler,
        retrain_ranker,
        settings,
        timezone,
        job_id=JOB_ID,
        cron=CRON,
        name="retrain the learned ranker",
        misfire_grace_seconds=MISFIRE_GRACE_SECONDS,
    )
