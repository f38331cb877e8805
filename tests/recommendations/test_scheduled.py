"""Scheduled retraining from the service's applications (graded by status history), on both backends."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random

import pytest

from matching.ltr_features import Interaction
from matching.ltr_train import is_held_out
from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.config import Settings
from service.db import make_engine, session_scope
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.recommendations.models_registry import current_version, load_current_model, registry_dir
from service.recommendations.scheduled import grade_of, read_training_data, retrain_ranker

FAMILIES = {
    "数控车工": ["数控编程", "看懂图纸"],
    "电工": ["电工证", "电气安装"],
    "餐厅服务员": ["沟通能力", "餐饮服务"],
}
CITIES = ["广州", "深圳", "佛山"]
T0 = dt.datetime(2025, 3, 1, 9, tzinfo=dt.UTC)
S = ApplicationStatus


async def _seed(settings: Settings, n_graduates: int = 60) -> list[Interaction]:
    """The postings, graduates and applications below; returns the interactions they should be read as
    (graduate id, posting id, creation time, :func:`grade_of`), in application order."""
    expected: list[Interaction] = []
    rng = random.Random(3)
    engine = make_engine(settings)
    try:
        async with session_scope(engine) as session:
            employers = [Employer(name=f"企业{i}") for i in range(4)]
            session.add_all(employers)
            await session.flush()
            postings = []
            for i in range(72):  # 8 postings per (title, city), two from each employer
                title = list(FAMILIES)[i % 3]
                postings.append(
                    Posting(
                        title=title,
                        employer_id=employers[(i // 9) % 4].id,
                        province="广东省",
                        city=CITIES[(i // 3) % 3],
                        required_skills=FAMILIES[title],
                        posted_on=dt.date(2025, 2, 1),
                    )
                )
            session.add_all(postings)
            graduates = [
                Graduate(
                    name=f"学生{i}",
                    desired_titles=[list(FAMILIES)[i % 3]],
                    province="广东省",
                    city=CITIES[i % 3],
                    skills=FAMILIES[list(FAMILIES)[i % 3]][:1],
                )
                for i in range(n_graduates)
            ]
            session.add_all(graduates)
            await session.flush()
            for i, g in enumerate(graduates):
                # content cannot tell the 8 postings of a (title, city) apart; applications can: everyone
                # ends with the postings of employer 企业0
                mine = [p for p in postings if p.title == g.desired_titles[0] and p.city == g.city]
                popular = [p for p in mine if p.employer_id == employers[0].id]
                other = rng.choice([p for p in mine if p.employer_id != employers[0].id])
                for k, p in enumerate([other, *rng.sample(popular, len(popular))]):
                    status = [S.APPLIED, S.INTERVIEW, S.HIRED, S.REJECTED][(i + k) % 4]
                    app = Application(
                        graduate_id=g.id,
                        posting_id=p.id,
                        status=status,
                        created_at=T0 + dt.timedelta(days=i % 20, hours=k),
                    )
                    session.add(app)
                    await session.flush()
                    if status is not S.APPLIED:
                        session.add(ApplicationEvent(application_id=app.id, from_status=S.APPLIED, to_status=status))
                    moves = [] if status is S.APPLIED else [ApplicationEvent(from_status=S.APPLIED, to_status=status)]
                    grade = grade_of(Application(status=status, history=moves))
                    expected.append(Interaction(g.id, p.id, app.created_at.timestamp(), grade))
    finally:
        await engine.dispose()
    return expected


def test_grade_of_takes_the_furthest_status_reached() -> None:
    def app(status: ApplicationStatus, *moves: tuple[ApplicationStatus, ApplicationStatus]) -> Application:
        return Application(status=status, history=[ApplicationEvent(from_status=a, to_status=b) for a, b in moves])

    assert grade_of(app(S.APPLIED)) == 2.0
    assert grade_of(app(S.REJECTED, (S.APPLIED, S.INTERVIEW), (S.INTERVIEW, S.REJECTED))) == 3.0
    assert grade_of(app(S.HIRED, (S.APPLIED, S.OFFER), (S.OFFER, S.HIRED))) == 4.0
    assert grade_of(app(S.WITHDRAWN, (S.APPLIED, S.WITHDRAWN))) == 2.0


def test_retrain_skips_without_data(settings: Settings) -> None:
    report = retrain_ranker(settings)
    assert report["status"] == "skipped" and "too little data" in report["reason"]
    assert current_version(settings) is None


def test_retraining_reads_every_posting_applicant_and_graded_application(settings: Settings) -> None:
    """:func:`read_training_data`, the only database work of a retraining run, on each backend: what
    :func:`test_retrain_evaluates_stores_and_promotes_only_if_not_worse` trains on."""
    expected = asyncio.run(_seed(settings))
    jobs, seekers, interactions = asyncio.run(read_training_data(settings))
    assert interactions == expected and len(interactions) == 60 * 3
    assert [j.id for j in jobs] == list(range(1, 73)) and sorted(seekers) == list(range(1, 61))
    assert all(seekers[g].desired_titles[0] in FAMILIES for g in seekers)
    assert {j.title for j in jobs} == set(FAMILIES) and {j.city for j in jobs} == set(CITIES)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_retrain_evaluates_stores_and_promotes_only_if_not_worse(settings: Settings) -> None:
    """Two trainings, on SQLite only: past :func:`read_training_data` (checked on both
    backends by the test above) a run trains, stores and promotes in the model folder, never in the
    database."""
    asyncio.run(_seed(settings))
    first = retrain_ranker(settings)
    assert first["status"] == "promoted" and first["compared_with"] == "content"
    m = first["metrics"]
    assert m["candidate"]["NDCG@10"] > m["content"]["NDCG@10"] + 0.1  # it learned what content cannot see
    held = first["training"]["holdout_seekers"]
    assert 8 <= held <= 28 and held + first["training"]["train_seekers"] == 60
    assert held == sum(is_held_out(g, 0.3) for g in range(1, 61))  # graduate ids 1..60
    assert set(first["training"]["grades"]) == {"2.0", "3.0", "4.0"}
    meta = json.loads((registry_dir(settings) / "versions" / f"{first['version']}.json").read_text())
    assert {"version", "features", "training", "metrics", "trained_at"} <= set(meta)
    current = load_current_model(settings)
    assert current is not None
    model, current_meta = current
    assert current_meta["version"] == first["version"] and current_meta["metrics"] == first["metrics"]
    second = retrain_ranker(settings, seed=1)  # now judged against the promoted model
    assert second["compared_with"] == "incumbent"
    s = second["metrics"]
    assert (second["status"] == "promoted") == (s["candidate"]["NDCG@10"] >= s["incumbent"]["NDCG@10"])
    assert current_version(settings) == (second["version"] if second["status"] == "promoted" else first["version"])
