"""The learned model's requests with one shared feature builder against one built per request, in-process.

Issue 18 ("cheaper requests"): the served model's :class:`~matching.ltr_features.FeatureBuilder` used to
be made anew for every request (``LearnedModelSlot.get``); it is now made once per loaded model and
interaction statistics (that is, per build of the content index) and shared. This bench builds the
sample database (SQLite file in a temporary folder; ``vocmatch`` sample and an admin, as
``bench_recommend_http.py`` does), trains and promotes a learned model on the sample's applications
(promoted anyway when retraining keeps the incumbent, as ``bench_recommend_scale.py`` does), then, in
this process and in the same run, times ``RecommendationService.for_graduate`` (limit 10, the
learned model re-ranking 200 content candidates) with two caches over the same database:

* ``per request`` (the previous path): a slot that wraps the model in a new ``FeatureBuilder`` at each
  request, as the old ``LearnedModelSlot.get`` did;
* ``shared`` (this path): the slot as it is.

Requests alternate between the two (graduate by graduate, ``--rounds`` passes over every graduate,
after one warm pass each), so both see the same machine load. Prints the medians and 99th
percentiles (ms), their ratio, the cost of making one builder alone (median of ``--rounds`` × 200),
and how many graduates got the same postings in the same order from both (scores depend on the
request time, so the order is compared). Run from the project root:

    .venv/bin/python bench/bench_learned_builder.py [--rounds 5] [--graduates 200]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_recommend_http import _prepare
from bench_recommend_scale import train_model

from matching.content import ContentRanker
from matching.ltr_features import FeatureBuilder
from service.config import Settings
from service.recommendations.caches import LearnedModel, LearnedModelSlot, RankerCache


class PerRequestSlot(LearnedModelSlot):
    """The previous path: a new :class:`FeatureBuilder` around the model at every request."""

    async def get(self, session: Any, ranker: ContentRanker, apps: int) -> LearnedModel | None:
        served = await super().get(session, ranker, apps)
        if served is None:
            return None
        return dataclasses.replace(served, builder=FeatureBuilder(ranker, self.stats))


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def _measure(settings: Settings, graduates: list[int], rounds: int) -> dict[str, Any]:
    from service.db import make_engine, make_sessionmaker
    from service.recommendations.service import RecommendationService

    engine = make_engine(settings)
    old, new = RankerCache(settings=settings), RankerCache(settings=settings)
    old.models = PerRequestSlot(settings)
    times: dict[str, list[float]] = {"per request": [], "shared": []}
    orders: dict[str, dict[int, list[int]]] = {"per request": {}, "shared": {}}
    models = set()
    try:
        async with make_sessionmaker(engine)() as session:
            for warm in (True, *([False] * rounds)):
                for g in graduates:
                    for name, cache in (("per request", old), ("shared", new)):
                        start = time.perf_counter()
                        result = await RecommendationService(session, cache).for_graduate(g, 10)
                        elapsed = (time.perf_counter() - start) * 1000
                        await session.commit()
                        models.add(result.model)
                        if warm:
                            orders[name][g] = [i.posting.id for i in result.items]
                        else:
                            times[name].append(elapsed)
            index = await new.get(session, dt.date.today())
            stats = new.models.stats
            builds = []
            for _ in range(rounds * 200):
                start = time.perf_counter()
                FeatureBuilder(index.base, stats)
                builds.append((time.perf_counter() - start) * 1000)
    finally:
        old.close()
        new.close()
        await engine.dispose()
    same = sum(orders["per request"][g] == orders["shared"][g] for g in graduates)
    return {"times": times, "same": same, "models": sorted(models), "builder_ms": statistics.median(builds)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--graduates", type=int, default=200, help="graduates measured (the sample's first)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vocmatch-builder-") as tmp:
        env = {
            **os.environ,
            "VOCMATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.sqlite3",
            "VOCMATCH_MODEL_DIR": f"{tmp}/models",
            "VOCMATCH_SECRET_KEY": "b" * 48,
        }
        settings = Settings.from_env(env)
        ids = _prepare(settings)
        trained = train_model(settings)
        graduates = ids["graduates"][: args.graduates]
        out = asyncio.run(_measure(settings, graduates, args.rounds))
    load = os.getloadavg()[0]
    print(
        f"sample: {len(ids['postings'])} postings, {len(graduates)} graduates × {args.rounds} rounds; model "
        f"{trained['version']}{' (promoted anyway)' if trained['forced'] else ''}; served {out['models']}; "
        f"load average {load:.1f}"
    )
    print("| for_graduate, limit 10, in-process | median ms | p99 ms | requests |")
    print("|---|---|---|---|")
    for name, values in out["times"].items():
        print(f"| {name} | {statistics.median(values):.3f} | {_pct(values, 0.99):.3f} | {len(values)} |")
    before, after = (statistics.median(out["times"][k]) for k in ("per request", "shared"))
    print(f"median ratio per request / shared: {before / after:.3f} ({before - after:+.3f} ms per request)")
    print(f"one FeatureBuilder made alone: median {out['builder_ms'] * 1000:.1f} µs")
    print(f"same postings in the same order: {out['same']} of {len(graduates)} graduates")


if __name__ == "__main__":
    main()
