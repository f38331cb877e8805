"""Saved jobs and job alerts at the service level (:class:`service.alerts.service.AlertService`), on
both databases: only postings graduates may see are saved, closed/filled/expired ones stay listed with
their state, the limits answer with a clear error, and a saved search is checked as the jobs page
reads it."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.alerts import service as alerts_service
from service.alerts.schemas import AlertFilters, JobAlertCreate, JobAlertUpdate
from service.alerts.service import AlertService, posting_state
from service.employers.models import Employer
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.postings.models import PostingStatus
from service.postings.search import parse_filters
from tests.alerts.conftest import World, add_posting
from vocab import EmploymentType


async def test_saving_needs_a_posting_graduates_may_see(session: AsyncSession, world: World) -> None:
    service = AlertService(session, world.ids["graduate_a"])
    saved = await service.save_job(world.ids["posting_a"])
    again = await service.save_job(world.ids["posting_a"])  # idempotent
    assert saved.id == again.id and saved.posting.employer.name == "广州数控设备有限公司"
    with pytest.raises(NotFoundError):
        await service.save_job(world.ids["posting_b"])  # unverified employer: as if it did not exist
    with pytest.raises(NotFoundError):
        await service.save_job(999_999)
    assert await service.saved_ids() == {world.ids["posting_a"]}
    # another graduate's list is their own
    assert await AlertService(session, world.ids["graduate_b"]).saved_ids() == set()
    assert await service.unsave_job(world.ids["posting_a"]) is True
    assert await service.unsave_job(world.ids["posting_a"]) is False
    assert await service.saved_ids() == set()


async def test_closed_filled_and_expired_postings_stay_listed_with_their_state(
    session: AsyncSession, world: World
) -> None:
    employer = world.ids["employer_a"]
    closed = await add_posting(session, employer, "已关闭岗位", status=PostingStatus.CLOSED)
    filled = await add_posting(session, employer, "已招满岗位", status=PostingStatus.FILLED)
    expired = await add_posting(session, employer, "已过期岗位", valid_through=dt.date.today() - dt.timedelta(days=1))
    service = AlertService(session, world.ids["graduate_a"])
    for posting_id in (world.ids["posting_a"], closed.id, filled.id, expired.id):
        await service.save_job(posting_id)
    items, total = await service.saved_jobs()
    today = dt.date.today()
    assert total == 4
    assert {s.posting.title: posting_state(s.posting, today) for s in items} == {
        "数控车床操作工": "open",
        "已关闭岗位": "closed",
        "已招满岗位": "filled",
        "已过期岗位": "expired",
    }
    # an employer no longer verified: its postings leave the list (graduates may not see them)
    await session.execute(update(Employer).where(Employer.id == employer).values(verified=False))
    assert (await service.saved_jobs())[1] == 0


async def test_limits_answer_with_a_clear_error(
    session: AsyncSession, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(alerts_service, "MAX_SAVED_JOBS", 1)
    monkeypatch.setattr(alerts_service, "MAX_ALERTS", 1)
    service = AlertService(session, world.ids["graduate_a"])
    other = await add_posting(session, world.ids["employer_a"], "装配钳工")
    await service.save_job(world.ids["posting_a"])
    with pytest.raises(ConflictError, match="at most 1 saved jobs"):
        await service.save_job(other.id)
    await service.create_alert("叉车", parse_filters({"q": "叉车"}))
    with pytest.raises(ConflictError, match="at most 1 saved searches"):
        await service.create_alert("电工", parse_filters({"q": "电工"}))


async def test_a_saved_search_is_checked_as_the_jobs_page_reads_it(session: AsyncSession, world: World) -> None:
    service = AlertService(session, world.ids["graduate_a"])
    alert = await service.create(
        JobAlertCreate(
            name="  广州 数控  ",
            filters=AlertFilters(
                q="数控", region="440100", min_salary=4500, job_type=EmploymentType.FULL_TIME, internship=False
            ),
        )
    )
    assert alert.name == "广州 数控" and alert.active
    assert alert.filters == {"q": "数控", "region": "440100", "min_salary": "4500", "job_type": "FULL_TIME"}
    for filters, field in ((AlertFilters(region="123"), "filters.region"), (AlertFilters(), "filters")):
        with pytest.raises(InvalidFieldError) as caught:
            await service.create(JobAlertCreate(name="x", filters=filters))
        assert caught.value.errors[0]["field"] == field
    with pytest.raises(InvalidFieldError, match="name"):
        await service.create_alert("   ", parse_filters({"q": "数控"}))
    # rename, pause, resume (the watermark moves on: nothing from the pause is sent)
    before = alert.watermark
    await service.update_alert(alert.id, JobAlertUpdate(name="数控（广州）", active=False))
    assert (alert.name, alert.active, alert.watermark) == ("数控（广州）", False, before)
    await service.update_alert(alert.id, JobAlertUpdate(active=True))
    assert alert.active and alert.watermark > before
    # another graduate's alert does not exist for them
    other = AlertService(session, world.ids["graduate_b"])
    for call in (
        other.alert(alert.id),
        other.update_alert(alert.id, JobAlertUpdate(active=False)),
        other.delete_alert(alert.id),
    ):
        with pytest.raises(NotFoundError):
            await call
    await service.delete_alert(alert.id)
    assert await service.alerts() == []
