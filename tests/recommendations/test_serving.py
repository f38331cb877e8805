"""The service serves the promoted learned model over real HTTP, and the content ranking otherwise.

Data: :func:`tests.recommendations.test_scheduled._seed` — 72 postings that content cannot tell
apart within a (title, city), and 60 graduates who all end with the postings of employer 企业0.
A new graduate without applications (cold start) asks for 数控车工 jobs in 广州: the content ranking
ties the 8 such postings, the learned model puts 企业0's two first.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from pathlib import Path

import httpx
import numpy as np
import pytest
from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from matching.content import ContentRanker
from matching.ltr import MODEL_FAMILY, LearnedRanker, rerank
from matching.ltr_features import FEATURE_NAMES, FeatureBuilder, InteractionStats
from service.applications.models import Application
from service.config import Settings
from service.db import make_engine, session_scope
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting, PostingStatus
from service.recommendations.models_registry import promote, registry_dir, save_version
from service.recommendations.scheduled import load_training_data, retrain_ranker
from service.recommendations.service import (
    MODEL_NAME,
    RERANK_CANDIDATES,
    RankerCache,
    RecommendationService,
    interaction_stats,
)
from tests.recommendations.test_scheduled import T0, _seed


async def _add_graduates(settings: Settings) -> tuple[int, int, set[int]]:
    """Two graduates wanting 数控车工 in 广州: one without applications (cold start) and one who applied
    to 企业1's such posting. Returns (cold id, warm id, ids of 企业0's such postings). Every employer
    is marked verified (only their postings are recommended)."""
    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            await session.execute(update(Employer).values(verified=True))
            cold, warm = (
                Graduate(name=name, desired_titles=["数控车工"], province="广东省", city="广州", skills=["数控编程"])
                for name in ("新同学", "新同学二")
            )
            session.add_all([cold, warm])
            await session.flush()

            def stmt(employer: str) -> Select[tuple[int]]:
                return (
                    select(Posting.id)
                    .join(Employer, Employer.id == Posting.employer_id)
                    .where(Employer.name == employer, Posting.title == "数控车工", Posting.city == "广州")
                    .order_by(Posting.id)
                )

            popular = set((await session.execute(stmt("企业0"))).scalars())
            other = (await session.execute(stmt("企业1"))).scalars().first()
            session.add(Application(graduate_id=warm.id, posting_id=other, created_at=T0 + dt.timedelta(days=30)))
            return cold.id, warm.id, popular
    finally:
        await engine.dispose()


@pytest.fixture
def client(client: httpx.Client, settings: Settings) -> httpx.Client:
    """The root client, signed in as an admin if it is not signed in already."""
    if client.get("/graduates/1/recommendations").status_code != 401:
        return client
    from service.accounts.models import Role, User
    from service.accounts.security import hash_password

    async def add_admin() -> None:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                session.add(
                    User(
                        role=Role.ADMIN,
                        email="serving-admin@example.cn",
                        password_hash=await hash_password("serving admin password"),
                    )
                )
        finally:
            await engine.dispose()

    asyncio.run(add_admin())
    r = client.post("/auth/login", json={"login": "serving-admin@example.cn", "password": "serving admin password"})
    assert r.status_code == 200, r.text
    client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return client


def _recommend(client: httpx.Client, graduate_id: int, limit: int = 8) -> dict:
    r = client.get(f"/graduates/{graduate_id}/recommendations", params={"limit": limit})
    assert r.status_code == 200, r.text
    return r.json()


def test_learned_model_is_served_once_promoted_and_reloaded_on_change(client: httpx.Client, settings: Settings) -> None:
    asyncio.run(_seed(settings))
    cold, warm, popular = asyncio.run(_add_graduates(settings))
    assert len(popular) == 2
    content = _recommend(client, warm)
    assert content["model"] == MODEL_NAME and _recommend(client, cold)["model"] == MODEL_NAME
    content_ids = [i["posting"]["id"] for i in content["items"]]
    assert set(content_ids[:2]) != popular  # content cannot see what graduates chose next

    report = retrain_ranker(settings)
    assert report["status"] == "promoted"
    learned = _recommend(client, warm)  # the running server notices the promotion by itself
    assert learned["model"] == report["version"] and learned["model"].startswith(f"{MODEL_FAMILY}-")
    learned_ids = [i["posting"]["id"] for i in learned["items"]]
    assert set(learned_ids[:2]) == popular  # after another 广州 数控车工 posting, graduates went on to 企业0's
    assert learned_ids != content_ids
    scores = [i["score"] for i in learned["items"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    # explanations are the content ranker's, with the two scores added to the components
    by_id = {i["posting"]["id"]: i["reasons"] for i in content["items"]}
    keys = ("matched_skills", "missing_skills", "location", "salary_fit", "education_met", "in_field")
    for item in learned["items"]:
        reasons = item["reasons"]
        assert {"content_score", "learned"} <= set(reasons["components"])
        if item["posting"]["id"] in by_id:
            assert {k: reasons[k] for k in keys} == {k: by_id[item["posting"]["id"]][k] for k in keys}
    # cold start: the same model ranks a graduate without applications
    assert _recommend(client, cold)["model"] == report["version"]

    # a warm graduate: their applications are history and never recommended again
    graduate_1 = _recommend(client, 1)
    assert graduate_1["model"] == report["version"]
    applied = {i["posting_id"] for i in client.get("/applications", params={"graduate_id": 1}).json()["items"]}
    assert applied and not applied & {i["posting"]["id"] for i in graduate_1["items"]}

    # another promotion (a new version name) is picked up without restarting
    from service.recommendations.models_registry import load_version

    model, _ = load_version(settings, report["version"])
    v2 = save_version(settings, model, {"version": "ltr-hgb-v2-second", "training": {}, "metrics": {}})
    assert promote(settings, v2, {"NDCG@10": 1.0}, None)
    assert _recommend(client, cold)["model"] == "ltr-hgb-v2-second"


def test_corrupt_or_foreign_model_falls_back_to_content(
    client: httpx.Client, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    asyncio.run(_seed(settings, n_graduates=12))
    cold, _, _ = asyncio.run(_add_graduates(settings))
    # a model trained on two features this version does not compute
    rng = np.random.default_rng(0)
    X, groups = rng.normal(size=(400, 2)), np.repeat(np.arange(40), 10)
    y = (X[:, 0] > 1).astype(float)
    foreign = LearnedRanker(feature_names=("a", "b"), max_iter=10, min_samples_leaf=5).fit(X, y, groups)
    v = save_version(settings, foreign, {"version": "foreign-1", "training": {}, "metrics": {}})
    promote(settings, v, {"NDCG@10": 1.0}, None)
    with caplog.at_level(logging.WARNING):
        body = _recommend(client, cold)
    assert body["model"] == MODEL_NAME and body["items"]
    assert any("foreign-1" in r.getMessage() and r.levelno >= logging.WARNING for r in caplog.records)

    # a promoted version whose model file is garbage
    versions = registry_dir(settings) / "versions"
    (versions / "broken-1.skops").write_bytes(b"PK\x03\x04 not really a zip")
    (versions / "broken-1.json").write_text((versions / "foreign-1.json").read_text().replace("foreign-1", "broken-1"))
    promote(settings, "broken-1", {"NDCG@10": 1.0}, None)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        body = _recommend(client, cold)
    assert body["model"] == MODEL_NAME and body["items"]
    assert any("broken-1" in r.getMessage() and r.levelno >= logging.WARNING for r in caplog.records)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        assert _recommend(client, cold)["model"] == MODEL_NAME  # and stays so, without reloading every time
    assert not [r for r in caplog.records if "broken-1" in r.getMessage()]


def test_a_stored_model_of_the_previous_family_is_not_served(
    settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    """ltr-hgb-v3 had three more columns (profile_*_co, always NaN when served; issue 19): a promoted
    v3 model is refused with a warning, never fed a matrix of the wrong width, and the content ranking
    is served until the next retraining promotes a model of this family."""
    from service.recommendations.caches import LearnedModelSlot

    v3 = (*FEATURE_NAMES, "profile_title_co", "profile_city_co", "profile_state_co")
    rng = np.random.default_rng(0)
    X, groups = rng.normal(size=(400, len(v3))), np.repeat(np.arange(40), 10)
    old = LearnedRanker(feature_names=v3, max_iter=10, min_samples_leaf=5, n_bags=1).fit(X, X[:, 0] > 1, groups)
    assert MODEL_FAMILY != "ltr-hgb-v3"
    v = save_version(settings, old, {"version": "ltr-hgb-v3-20261201T000000Z", "training": {}, "metrics": {}})
    assert promote(settings, v, {"NDCG@10": 1.0}, None)
    with caplog.at_level(logging.WARNING):
        assert LearnedModelSlot(settings)._load_model() is None
    assert any(v in r.getMessage() and "other features" in r.getMessage() for r in caplog.records)


def test_no_model_dir_serves_content(client: httpx.Client, settings: Settings) -> None:
    asyncio.run(_seed(settings, n_graduates=6))
    cold, warm, _ = asyncio.run(_add_graduates(settings))
    assert not Path(settings.model_dir).exists()
    assert _recommend(client, cold)["model"] == MODEL_NAME
    body = _recommend(client, warm)
    assert body["model"] == MODEL_NAME and body["items"]


async def _add_candidate(settings: Settings, certificate: str) -> int:
    from service.graduates.models import GraduateCertificate

    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            g = Graduate(
                name="候选人",
                desired_titles=["数控车工"],
                province="广东省",
                city="广州",
                skills=["数控编程", "看懂图纸"],
            )
            session.add(g)
            await session.flush()
            session.add(GraduateCertificate(graduate_id=g.id, name=certificate))
            return g.id
    finally:
        await engine.dispose()


def test_candidates_come_from_the_seeker_index_and_follow_changes(client: httpx.Client, settings: Settings) -> None:
    asyncio.run(_seed(settings, n_graduates=30))
    asyncio.run(_add_graduates(settings))
    url = "/postings/1/candidates"  # 数控车工 in 广州 asking for 数控编程 and 看懂图纸
    first = client.get(url, params={"limit": 5})
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["model"] == MODEL_NAME and len(body["items"]) == 5
    assert all(i["graduate"]["city"] == "广州" for i in body["items"][:3])
    newcomer = asyncio.run(_add_candidate(settings, "数控车工（四级）"))
    top = client.get(url, params={"limit": 5}).json()["items"][0]  # the cached pool notices the new graduate
    assert top["graduate"]["graduate_id"] == newcomer and top["graduate"]["certificates"] == ["数控车工（四级）"]
    assert set(top["reasons"]["matched_skills"]) >= {"数控编程", "看懂图纸"}


async def test_hidden_postings_follow_employer_verification_both_ways(session: AsyncSession) -> None:
    """The cached set of postings graduates never see (unverified employers) is recomputed when an
    employer is verified or loses its verification, and when postings change; nothing else is hidden."""
    today = dt.date.today()
    ok, vetting = Employer(name="已审核厂", verified=True), Employer(name="待审核厂", verified=False)
    session.add_all([ok, vetting])
    await session.flush()
    shown, held = Posting(title="数控车工", employer_id=ok.id), Posting(title="焊工", employer_id=vetting.id)
    session.add_all([shown, held])
    await session.commit()
    cache = RankerCache()
    postings = await cache.get(session, today)
    first = await cache.hidden_postings(session, postings, today)
    assert first == {held.id}
    assert await cache.hidden_postings(session, postings, today) is first  # nothing changed: not recomputed

    vetting.verified = True
    await session.commit()
    # a request reads the change feeds first (cache.get), which tells the cache an employer changed
    assert await cache.get(session, today) is postings  # no posting changed: the same index
    assert await cache.hidden_postings(session, postings, today) == set()
    ok.verified = False  # verification withdrawn: its postings disappear again
    await session.commit()
    assert await cache.get(session, today) is postings
    assert await cache.hidden_postings(session, postings, today) == {shown.id}

    later = Posting(title="电工", employer_id=ok.id)
    session.add(later)
    await session.commit()
    rebuilt = await cache.get(session, today)  # the postings changed: a new index (a delta)
    assert rebuilt is not postings and later.id in rebuilt
    assert await cache.hidden_postings(session, rebuilt, today) == {shown.id, later.id}


async def test_served_statistics_place_postings_among_every_posting_as_retraining_does(session: AsyncSession) -> None:
    """The service ranks open postings only; the creation-order features must still be those of
    retraining, which fits on every posting: places among all postings, and applications to closed
    postings in the reference."""
    employer = Employer(name="审核厂", verified=True)
    session.add(employer)
    await session.flush()
    postings = [
        Posting(
            title=f"岗位{i}", employer_id=employer.id, status=PostingStatus.OPEN if i >= 3 else PostingStatus.CLOSED
        )
        for i in range(6)
    ]
    graduate = Graduate(name="申请人")
    session.add_all([*postings, graduate])
    await session.flush()
    now = dt.datetime.now(dt.UTC)
    session.add_all(
        [
            Application(graduate_id=graduate.id, posting_id=p.id, created_at=now - dt.timedelta(hours=h))
            for h, p in enumerate(postings[:3], start=1)
        ]
    )  # applications to the closed ones
    await session.commit()
    index = await RankerCache().get(session, dt.date.today())
    ranker = index.base
    assert sorted(index.ids()) == sorted(p.id for p in postings[3:])
    served = await interaction_stats(session, ranker)
    jobs, _, interactions = await load_training_data(session)
    every = ContentRanker().fit(jobs)  # what retraining fits on
    retrained = InteractionStats(every, interactions)
    at = now.timestamp()
    for p in postings[3:]:
        assert np.allclose(
            served.creation_offsets(at, rows=np.array([ranker.position_[p.id]])),
            retrained.creation_offsets(at, rows=np.array([every.position_[p.id]])),
        )
    # the newest open posting is the newest of all (place 1); the closed ones were viewed: median place 0.2
    newest = served.creation_offsets(at, rows=np.array([ranker.position_[postings[5].id]]))
    assert newest[0][0] == pytest.approx(1.0 - 0.2) and newest[1][0] == pytest.approx(1.0 - 0.4)


async def test_the_learned_model_is_served_with_one_feature_builder_per_model_and_index_build(
    session: AsyncSession, settings: Settings
) -> None:
    """Requests share the served model's :class:`FeatureBuilder` (made once per loaded model and
    interaction statistics, i.e. per index build) and rank exactly as a builder made for the request."""
    await _seed(settings, n_graduates=30)
    cold, warm, _ = await _add_graduates(settings)
    report = await asyncio.to_thread(retrain_ranker, settings)
    assert report["status"] == "promoted"
    cache = RankerCache(settings=settings)
    service = RecommendationService(session, cache)
    today = dt.date.today()
    graduates = [cold, warm, 1, 2, 3]
    for g in graduates:
        assert (await service.for_graduate(g, 10, today=today)).model == report["version"]
    served = cache.models.served
    assert served is not None
    for g in graduates:
        await service.for_graduate(g, 10, today=today)
        assert cache.models.served is served  # not made again per request
    index = await cache.get(session, today)
    hidden = await cache.hidden_postings(session, index, today)
    now = time.time()
    for g in graduates:
        entry = await cache.graduate(session, g)
        assert entry is not None
        exclude = index.learned_exclusions(set(entry.history) | hidden)
        shared, per_request = (
            rerank(
                served.model,
                builder,
                entry.doc,
                k=10,
                exclude=exclude,
                history=list(entry.history),
                now=now,
                key=g,
                n_candidates=RERANK_CANDIDATES,
            )
            for builder in (served.builder, FeatureBuilder(index.base, cache.models.stats))
        )
        assert shared == per_request and shared
    await session.commit()
    await cache.index.rebuild(today)  # a new base fit: new statistics, a new builder over it
    await service.for_graduate(cold, 10, today=today)
    assert cache.models.served is not served and cache.models.served is not None
    assert cache.models.served.builder.ranker is (await cache.get(session, today)).base
    cache.close()
