"""Deleting a graduate: the request-then-execute flow, erasure of every trace of the person, and
the employment figures of past reports unchanged when recomputed for the same date and cut-off."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
from sqlalchemy import JSON, String, Text, select
from sqlalchemy.ext.asyncio import AsyncEngine

from service.applications.models import Application, ApplicationStatus
from service.db import make_sessionmaker
from service.graduates.models import Graduate
from service.models import Base
from service.reports.build import build_report
from service.reports.compute import ReportParams, Scope
from tests.accounts.conftest import PASSWORD
from tests.privacy.conftest import NEEDLES
from tests.reports import worked_case

REPORT: dict[str, Any] = {
    "scope": "all",
    "as_of": "2025-12-31",
    "cohort": 2025,
    "recorded_before": "2026-01-01T00:00:00Z",
    "threshold": 1,
}
PARAMS = ReportParams(
    scope=Scope.parse("all"),
    cohorts=(2025,),
    as_of=dt.date(2025, 12, 31),
    recorded_before=worked_case.CUTOFF,
    threshold=1,
)


async def _report(engine: AsyncEngine) -> dict[str, Any]:
    async with make_sessionmaker(engine)() as s:
        return await build_report(s, PARAMS)


async def _traces_of_person(engine: AsyncEngine) -> list[str]:
    """``table.column`` of every text or JSON value anywhere in the database holding a needle."""
    found = []
    async with make_sessionmaker(engine)() as s:
        for table in Base.metadata.sorted_tables:
            columns = [
                c
                for c in table.columns
                if isinstance(c.type, (String, Text, JSON)) or isinstance(getattr(c.type, "impl", None), (String, Text))
            ]
            for column in columns:
                for (value,) in (await s.execute(select(column))).all():
                    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
                    found += [f"{table.name}.{column.name}: {n}" for n in NEEDLES if n in text]
    return found


async def test_request_then_school_deletes_and_reports_stay(
    case: dict[str, int], clients: dict[str, httpx.Client], engine: AsyncEngine
) -> None:
    a1 = case["a1"]
    before, before_http = await _report(engine), clients["admin"].get("/reports", params=REPORT)
    assert before_http.status_code == 200, before_http.text
    assert await _traces_of_person(engine)  # the needles are really there to begin with

    assert clients["a1"].delete(f"/graduates/{a1}").status_code == 403  # the graduate asks instead
    assert clients["staff_a"].delete(f"/graduates/{a1}").status_code == 409  # not asked yet
    wrong = clients["a1"].post(f"/graduates/{a1}/deletion-request", json={"password": "not my password"})
    assert wrong.status_code == 401, wrong.text
    asked = clients["a1"].post(f"/graduates/{a1}/deletion-request", json={"password": PASSWORD})
    assert asked.status_code == 201, asked.text
    assert asked.json()["status"] == "pending" and asked.json()["requested_by_role"] == "graduate"
    assert clients["a1"].post(f"/graduates/{a1}/deletion-request", json={"password": PASSWORD}).status_code == 409
    assert clients["staff_a"].get(f"/graduates/{a1}/deletion-request").json()["status"] == "pending"
    assert clients["staff_b"].get(f"/graduates/{a1}/deletion-request").status_code == 404
    assert clients["staff_b"].delete(f"/graduates/{a1}").status_code == 404  # another school's graduate
    assert clients["department"].delete(f"/graduates/{a1}").status_code == 403

    done = clients["staff_a"].delete(f"/graduates/{a1}")
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["deletion"]["status"] == "executed" and body["deletion"]["executed_by_role"] == "school"
    assert (
        body["accounts_deleted"],
        body["applications_withdrawn"],
        body["applications_scrubbed"],
        body["certificates_deleted"],
        body["awards_deleted"],
        body["destination_events_kept"],
    ) == (1, 1, 1, 1, 1, 3)

    assert await _traces_of_person(engine) == []
    assert await _report(engine) == before  # same figures as of the same date and cut-off
    after_http = clients["admin"].get("/reports", params=REPORT)
    assert after_http.json() == before_http.json()

    assert clients["a1"].get("/auth/me").status_code == 401  # the account is gone
    assert clients["staff_a"].delete(f"/graduates/{a1}").status_code == 409  # already deleted
    async with make_sessionmaker(engine)() as s:
        graduate = await s.get(Graduate, a1)
        assert graduate is not None and graduate.name == "(已删除)" and graduate.recommendable is False
        assert (graduate.cohort, graduate.school_id, graduate.gender.value) == (2025, graduate.school_id, "male")
        application = await s.get(Application, case["application"])
        assert application is not None and application.status is ApplicationStatus.WITHDRAWN
    audit = clients["admin"].get("/audit", params={"graduate_id": a1}).json()["items"]
    assert [e["action"] for e in audit[:2]] == ["delete", "deletion_request"]
    assert (audit[0]["actor_user_id"], audit[0]["actor_role"]) == (case["user_staff_a"], "school")
    assert audit[1]["actor_user_id"] == case["user_a1"]
    params = {k: v for k, v in REPORT.items() if k != "threshold"} | {"row": "total", "column": "employed"}
    trace = clients["admin"].get("/reports/trace", params=params)
    assert trace.status_code == 200, trace.text
    assert a1 in [t["graduate_id"] for t in trace.json()]  # still counted, by id only


async def test_admin_deletes_without_a_request(
    case: dict[str, int], clients: dict[str, httpx.Client], engine: AsyncEngine
) -> None:
    b1 = case["b1"]
    before = await _report(engine)
    done = clients["admin"].delete(f"/graduates/{b1}")
    assert done.status_code == 200, done.text
    assert done.json()["deletion"]["requested_by_role"] == "admin"
    assert await _report(engine) == before
    assert clients["staff_b"].get(f"/graduates/{b1}/deletion-request").json()["status"] == "executed"
    assert clients["admin"].delete("/graduates/999999").status_code == 404
    # the anonymised row is left out of lists, for its school and for the admin
    for who in ("staff_b", "admin"):
        listed = clients[who].get("/graduates", params={"limit": 200}).json()
        assert b1 not in {g["id"] for g in listed["items"]}
        assert listed["total"] == len(listed["items"])
