"""A graduate's saved jobs and alerts are in their data export and erased with their data (PIPL
Art. 45, 47), on both databases."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.alerts.models import JobAlert, JobAlertHit, SavedJob
from service.alerts.service import AlertService, digest_graduate
from service.auth.guards import Principal
from service.graduates.models import Graduate
from service.postings.search import parse_filters
from service.privacy.deletion import execute_deletion
from service.privacy.export import export_graduate
from tests.alerts.conftest import World

ADMIN = Principal(user_id=0, role=Role.ADMIN)


async def test_export_holds_and_deletion_erases_saved_jobs_and_alerts(session: AsyncSession, world: World) -> None:
    graduate_id = world.ids["graduate_a"]
    service = AlertService(session, graduate_id)
    await service.save_job(world.ids["posting_a"])
    await service.create_alert("夜班 数控", parse_filters({"q": "数控"}))
    await digest_graduate(session, graduate_id)
    export = await export_graduate(session, ADMIN, graduate_id)
    assert [s.title for s in export.saved_jobs] == ["数控车床操作工"]
    assert [(a.name, a.filters) for a in export.job_alerts] == [("夜班 数控", {"q": "数控"})]
    graduate = await session.get(Graduate, graduate_id)
    assert graduate is not None
    await execute_deletion(session, ADMIN, graduate)
    for model in (SavedJob, JobAlert, JobAlertHit):
        assert (await session.execute(select(func.count()).select_from(model))).scalar_one() == 0
