"""Response times of the web pages on the built-in sample (issue 7: each page under 300 ms).

Builds a fresh SQLite database in a temporary folder (migrate, load the sample, the sample accounts:
one per role), serves it with uvicorn on a free loopback port in a child process (one worker), signs
in through the sign-in form as the sample graduate, employer, school and department accounts (cookie
sessions, as a browser does) and requests each of their pages: once to warm caches (not measured),
then ``--rounds`` times. Prints, per page, the median and the slowest time (milliseconds, client
side, full HTML received) and whether the median is under the 300 ms budget. It also adds a school
of 5,000 graduates of one cohort (a realistic mix of survey records, self-reports awaiting review,
employer hires — some disputed — and nobody-knows) and times its follow-up list, whose budget is
500 ms (issue 17). Run from the project root:

    .venv/bin/python bench/bench_pages.py [--rounds 20] [--json] [--only school-5000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
import time
from typing import Any

import httpx
from _server import serve

from service.config import Settings

BUDGET_MS = 300.0
#: The follow-up list of a school of 5,000 graduates (issue 17).
FOLLOW_UP_BUDGET_MS = 500.0
LARGE_SCHOOL_SIZE = 5000
LARGE_COHORT = 2025
LARGE_SCHOOL_LOGIN = "school-5000@bench.vocmatch.cn"


async def _large_school(session: Any, password: str) -> None:
    """A school of :data:`LARGE_SCHOOL_SIZE` graduates of :data:`LARGE_COHORT` with its staff account:
    per ten graduates three surveyed, two self-reports awaiting review, two employer hires (one of
    them disputed), one imported record and two with nothing recorded (去向未知)."""
    import datetime as dt

    from sqlalchemy import insert, select

    from service.accounts.models import Role, User
    from service.accounts.security import hash_password
    from service.catalog.models import Region, School
    from service.destinations.models import DestinationEvent
    from service.graduates.models import Graduate

    region = await session.scalar(select(Region.code).order_by(Region.code.desc()).limit(1))
    school = School(code="9999000001", name="基准测试职业学校", region_code=region)
    session.add(school)
    await session.flush()
    await session.execute(
        insert(Graduate),
        [
            {
                "name": f"学生{i:04d}",
                "school_id": school.id,
                "student_number": f"B{i:06d}",
                "cohort": LARGE_COHORT,
                "class_name": f"2022级{i % 40 + 1}班",
                "phone": f"139{i:08d}",
                "graduation_date": dt.date(2025, 6, 30),
                "source": "bench",
                "skills": [],
                "desired_titles": [],
                "preferred_locations": [],
                "preferred_job_types": [],
            }
            for i in range(LARGE_SCHOOL_SIZE)
        ],
    )
    ids = (
        (await session.execute(select(Graduate.id).where(Graduate.school_id == school.id).order_by(Graduate.id)))
        .scalars()
        .all()
    )
    now = dt.datetime.now(dt.UTC)
    rows = []
    plan = [
        "school_survey",
        "school_survey",
        "school_survey",
        "self_report",
        "self_report",
        "platform_hire",
        "platform_hire",
        "import",
        None,
        None,
    ]
    for n, gid in enumerate(ids):
        source = plan[n % 10]
        if source is None:
            continue
        category = "seeking" if source == "import" else ("further_study" if n % 7 == 0 else "labour_contract")
        rows.append(
            {
                "graduate_id": gid,
                "occurred_on": dt.date(2025, 7, 1),
                "source": source,
                "category": category,
                "recorded_at": now - dt.timedelta(days=n % 90),
                "kind": "outcome",
                "internship": False,
            }
        )
    await session.execute(insert(DestinationEvent), rows)
    hires = (
        await session.execute(
            select(DestinationEvent.id, DestinationEvent.graduate_id).where(
                DestinationEvent.graduate_id.in_(ids), DestinationEvent.source == "platform_hire"
            )
        )
    ).all()
    await session.execute(
        insert(DestinationEvent),
        [
            {
                "graduate_id": gid,
                "occurred_on": dt.date(2025, 8, 1),
                "recorded_at": now,
                "source": "self_report",
                "category": "labour_contract",
                "kind": "dispute",
                "refers_to_id": eid,
                "note": "不在该单位",
                "internship": False,
            }
            for eid, gid in hires[::2]
        ],
    )
    session.add(
        User(
            role=Role.SCHOOL, email=LARGE_SCHOOL_LOGIN, school_id=school.id, password_hash=await hash_password(password)
        )
    )


async def _drill_targets(session: Any) -> dict[str, str]:
    """The sample school account's school code and one of its majors with graduates of the cohort the
    dashboards show by default, the department account's region and one county (or city) below it."""
    import datetime as dt

    from sqlalchemy import select

    from service.accounts.models import User
    from service.catalog.models import School
    from service.graduates.models import Graduate
    from service.reports.compute import default_cohort

    staff = await session.scalar(select(User).where(User.email == "school@sample.vocmatch.cn"))
    department = await session.scalar(select(User).where(User.email == "department@sample.vocmatch.cn"))
    school = await session.get(School, staff.school_id)
    major = await session.scalar(
        select(Graduate.major_code)
        .where(
            Graduate.school_id == school.id,
            Graduate.cohort == default_cohort(dt.date.today()),
            Graduate.major_code.is_not(None),
        )
        .order_by(Graduate.major_code)
        .limit(1)
    )
    return {
        "school": school.code,
        "major": major or "-",
        "region": department.region_code,
        "county": school.region_code,
    }


def _prepare(settings: Settings) -> dict[str, object]:
    """Migrate, load the sample and its accounts; return the logins and a few ids to visit."""
    from sqlalchemy import select

    from service.accounts.bootstrap import SAMPLE_PASSWORD, create_sample_accounts
    from service.accounts.models import User
    from service.db import make_engine, session_scope
    from service.migrate import upgrade
    from service.postings.models import Posting
    from service.sample.loader import load_sample

    upgrade(settings)

    async def load() -> dict[str, object]:
        engine = make_engine(settings)
        try:
            async with session_scope(engine) as session:
                await load_sample(session)
                accounts = await create_sample_accounts(session)
                await _large_school(session, SAMPLE_PASSWORD)
            async with session_scope(engine) as session:
                await _saved_jobs_and_alerts(session)
            async with session_scope(engine) as session:
                employer_user = await session.scalar(select(User).where(User.email == "employer@sample.vocmatch.cn"))
                posting = (
                    await session.scalar(
                        select(Posting.id)
                        .where(Posting.employer_id == employer_user.employer_id)
                        .order_by(Posting.id)
                        .limit(1)
                    )
                    if employer_user is not None
                    else None
                )
                any_posting = await session.scalar(select(Posting.id).order_by(Posting.id).limit(1))
                drill = await _drill_targets(session)
        finally:
            await engine.dispose()
        logins = {role: email for email, role, _ in accounts} | {"school-5000": LARGE_SCHOOL_LOGIN}
        return {
            "logins": logins,
            "password": SAMPLE_PASSWORD,
            "employer_posting": posting,
            "posting": any_posting,
            "drill": drill,
        }

    return asyncio.run(load())


async def _saved_jobs_and_alerts(session: Any) -> None:
    """The sample graduate saves 30 open postings and keeps 5 searches (the pages' lists are not empty)."""
    from sqlalchemy import select

    from service.accounts.models import User
    from service.alerts.service import AlertService
    from service.postings.models import Posting
    from service.postings.search import parse_filters
    from service.postings.visibility import visible_to_graduates_clause

    graduate_id = await session.scalar(select(User.graduate_id).where(User.email == "graduate@sample.vocmatch.cn"))
    if graduate_id is None:
        return
    service = AlertService(session, graduate_id)
    for posting_id in (
        await session.execute(select(Posting.id).where(visible_to_graduates_clause()).order_by(Posting.id).limit(30))
    ).scalars():
        await service.save_job(posting_id)
    for n, filters in enumerate(
        (
            {"q": "数控"},
            {"region": "440100"},
            {"min_salary": "4500"},
            {"internship": "1"},
            {"q": "电工", "job_type": "FULL_TIME"},
        )
    ):
        await service.create_alert(f"搜索{n + 1}", parse_filters(filters))


def _pages(data: dict[str, object]) -> dict[str, list[str]]:
    own = data["employer_posting"]
    drill: dict[str, str] = data["drill"]  # type: ignore[assignment]  # _prepare sets it so
    employer = ["/web/postings"]
    if own is not None:
        employer += [f"/web/postings/{own}/applications", f"/web/postings/{own}/candidates"]
    if own is not None:
        employer.append(f"/web/postings/{own}/edit")
    employer += [
        "/web/postings/new",
        "/web/suggest?field=required_skills&required_skills_new=CAD",
        "/web/notifications/",
        "/web/internships/",
    ]
    graduate = [
        "/web/sign-in",
        "/web/jobs",
        "/web/jobs?region=440100&min_salary=4000",
        "/web/jobs?internship=1&q=%E5%AE%9E%E4%B9%A0",
        f"/web/jobs/{data['posting']}",
        "/web/applications",
        "/web/profile",
        "/web/destination",
        "/web/suggest?field=skills&skills_new=%E6%95%B0%E6%8E%A7",
        "/web/chips?field=skills&skills=CAD&pick=PLC",
        "/web/saved-jobs",
        "/web/job-alerts",
        "/web/resume",
        "/web/invitations",
        "/web/notifications/",
        "/web/notifications/preferences",
        "/web/internships/",
    ]
    return {
        "graduate": graduate,
        "employer": employer,
        "school": [
            "/web/dashboard",
            "/web/roster",
            "/web/follow-up",
            "/web/follow-up/review",
            f"/web/dashboard/school/{drill['school']}",
            f"/web/dashboard/school/{drill['school']}/major/{drill['major']}",
            "/web/dashboard/annual",
            "/web/employers/queue",
            "/web/activation-codes/",
            "/web/roster/history",
            "/web/internships/",
            "/web/internships/new",
        ],
        "department": [
            "/web/dashboard",
            "/web/follow-up",
            f"/web/dashboard/region/{drill['region']}",
            f"/web/dashboard/region/{drill['county']}",
            f"/web/dashboard/school/{drill['school']}",
            "/web/dashboard/annual",
            "/web/employers/queue",
            "/web/roster/history",
        ],
        "school-5000": [
            f"/web/follow-up?cohort={LARGE_COHORT}",
            f"/web/follow-up?cohort={LARGE_COHORT}&flag=unknown&sort=name",
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print only the JSON result")
    parser.add_argument(
        "--only",
        action="append",
        metavar="ROLE",
        help="time only this role's pages (repeatable), e.g. --only school-5000",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vocmatch-bench-pages-") as tmp:
        env = {
            **os.environ,
            "VOCMATCH_DATABASE_URL": f"sqlite+aiosqlite:///{tmp}/bench.sqlite3",
            "VOCMATCH_MODEL_DIR": f"{tmp}/models",
            "VOCMATCH_SECRET_KEY_FILE": f"{tmp}/secret_key",
            "VOCMATCH_API_RATE_PER_MINUTE": "1000000",
            "VOCMATCH_COOKIE_SECURE": "false",
        }
        env.pop("VOCMATCH_SECRET_KEY", None)  # sample accounts are made on the embedded default secret only
        data = _prepare(Settings.from_env(env))
        results: list[dict[str, object]] = []
        with serve(env, start_timeout=60, stop_timeout=20) as server:
            base = server.base
            logins: dict[str, str] = data["logins"]  # type: ignore[assignment]  # _prepare sets it so
            for role, paths in _pages(data).items():
                if args.only and role not in args.only:
                    continue
                with httpx.Client(base_url=base, timeout=60) as client:
                    client.get("/web/sign-in")  # the form's pre-session CSRF token, as a browser gets it
                    r = client.post(
                        "/web/sign-in",
                        data={
                            "login": logins[role],
                            "password": data["password"],
                            "_csrf_token": client.cookies["vocmatch_csrf"],
                        },
                    )
                    if r.status_code != 303:
                        raise RuntimeError(f"sign-in as {role} failed: {r.status_code}")
                    for path in paths:
                        headers = {"HX-Request": "true"} if path.startswith(("/web/suggest", "/web/chips")) else {}
                        client.get(path, headers=headers).raise_for_status()  # warm-up
                        times = []
                        for _ in range(args.rounds):
                            t = time.perf_counter()
                            response = client.get(path, headers=headers)
                            times.append((time.perf_counter() - t) * 1000)
                            response.raise_for_status()
                        median = statistics.median(times)
                        budget = FOLLOW_UP_BUDGET_MS if role == "school-5000" else BUDGET_MS
                        results.append(
                            {
                                "role": role,
                                "page": path,
                                "median_ms": round(median, 1),
                                "max_ms": round(max(times), 1),
                                "budget_ms": budget,
                                "under_budget": median < budget,
                            }
                        )
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return
    print(f"{'role':<12}{'page':<58}{'median ms':>10}{'max ms':>9}{'budget':>8}  under")
    for row in results:
        print(
            f"{row['role']:<12}{row['page']:<58}{row['median_ms']:>10}{row['max_ms']:>9}{row['budget_ms']:>8.0f}  "
            f"{'yes' if row['under_budget'] else 'NO'}"
        )


if __name__ == "__main__":
    main()
