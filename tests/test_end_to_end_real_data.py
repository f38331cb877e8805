"""The main job on real input: import the shared real data into a fresh database, then ask the
running service (real HTTP on loopback) for recommendations for real profiles.

Skipped with the reason where ``../shared/data`` is absent.
"""

from __future__ import annotations

from pathlib import Path

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.employers.models import Employer
from service.graduates.models import Graduate
from service.imports.report import ImportReport
from service.imports.service import import_path
from service.postings.models import Posting

KITCHEN_WORDS = ("cook", "chef", "kitchen", "culinary", "prep", "line")


async def _import_everything(session: AsyncSession, data: Path) -> dict[str, ImportReport]:
    reports = {}
    for path in (
        data / "us_jobboard_views" / "jobs.csv",
        data / "us_jobboard_views",
        data / "cn_postings" / "51job_2019_gb18030.csv",
        data / "cn_postings" / "51job_2023.csv",
    ):
        reports[path.name] = await import_path(session, path)
        await session.commit()
    return reports


async def test_real_postings_and_profiles_end_to_end(
    session: AsyncSession, client: httpx.Client, shared_data: Path
) -> None:
    reports = await _import_everything(session, shared_data)
    assert reports["jobs.csv"].stored == 7047
    assert reports["us_jobboard_views"].stored > 2500
    assert reports["51job_2019_gb18030.csv"].stored > 4800
    assert reports["51job_2023.csv"].stored > 300
    for report in reports.values():
        for row, column, reason in report.rejected:
            assert row >= 2 and reason  # spreadsheet rows (header = row 1) with a reason

    # Importing the same files again stores nothing twice.
    again = await _import_everything(session, shared_data)
    assert all(r.stored == 0 for r in again.values()), {k: r.to_dict() for k, r in again.items()}

    # Imported employers start unverified, and their postings are never shown to graduates
    # (issue 6): nothing to recommend until staff approve them. Here staff approve them all.
    some_seeker = (
        await session.execute(select(Graduate.id).where(Graduate.source == "us_jobboard").limit(1))
    ).scalar_one()
    unapproved = client.get(f"/graduates/{some_seeker}/recommendations", params={"limit": 10})
    assert unapproved.status_code == 200 and unapproved.json()["items"] == [], unapproved.text
    await session.execute(update(Employer).values(verified=True))
    await session.commit()

    # Real applicants interested only in kitchen work ("Line Cook", "Chef"), with a known state.
    seekers = (await session.execute(select(Graduate).where(Graduate.source == "us_jobboard"))).scalars().all()
    line_cooks = [
        g
        for g in seekers
        if g.province
        and g.desired_titles
        and "line cook" in [t.strip().lower() for t in g.desired_titles]
        and all(any(w in t.lower() for w in KITCHEN_WORDS + ("chef",)) for t in g.desired_titles)
    ]
    assert len(line_cooks) >= 4
    for seeker in line_cooks:
        response = client.get(f"/graduates/{seeker.id}/recommendations", params={"limit": 10})
        assert response.status_code == 200, response.text
        items = response.json()["items"]
        assert len(items) == 10
        scores = [item["score"] for item in items]
        assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
        top = items[:5]
        kitchen = [i for i in top if any(w in i["posting"]["title"].lower() for w in KITCHEN_WORDS)]
        assert len(kitchen) >= 4, (seeker.desired_titles, [i["posting"]["title"] for i in top])
        in_state = [i for i in top if i["posting"]["province"] == seeker.province]
        state_kitchen_jobs = (
            await session.execute(
                select(func.count())
                .select_from(Posting)
                .where(
                    Posting.province == seeker.province,
                    Posting.country == "US",
                    or_(*(func.lower(Posting.title).contains(w) for w in ("cook", "chef", "kitchen"))),
                )
            )
        ).scalar_one()
        # In their own state when the state has kitchen jobs to offer (no adjacency data for "near").
        assert len(in_state) >= min(3, state_kitchen_jobs), (
            seeker.province,
            state_kitchen_jobs,
            [i["posting"]["province"] for i in top],
        )
        assert all(i["posting"]["region_code"] is None for i in top)  # US postings only

    # A Chinese profile against the real 51job postings: a Java developer in 上海.
    created = client.post(
        "/graduates",
        json={
            "name": "测试毕业生",
            "kind": "adult_trainee",
            "education": "associate",
            "region_code": "310000",
            "skills": ["Java", "MySQL", "Spring"],
            "desired_titles": ["Java开发工程师"],
        },
    )
    assert created.status_code == 201, created.text
    response = client.get(f"/graduates/{created.json()['id']}/recommendations", params={"limit": 10})
    assert response.status_code == 200, response.text
    top = response.json()["items"][:5]
    assert sum("java" in i["posting"]["title"].lower() for i in top) >= 3, [i["posting"]["title"] for i in top]
    assert sum((i["posting"]["region_code"] or "").startswith("31") for i in top) >= 3
