"""HTTP endpoints for a graduate's saved jobs and job alerts (``/me/…``: always the caller's own).

``GET /me/saved-jobs``, ``PUT``/``DELETE /me/saved-jobs/{posting_id}``; ``GET``/``POST /me/job-alerts``,
``GET``/``PATCH``/``DELETE /me/job-alerts/{alert_id}``. Graduates (adult trainees included) only: other
roles get 403. A posting graduates may not see, and another graduate's alert, are 404. The web pages
(:mod:`service.web.alert_pages`) call the same :class:`~service.alerts.service.AlertService` methods.
"""

from __future__ import annotations

from litestar import Controller, Request, delete, get, patch, post, put
from litestar.params import JSONBody

from service.accounts.models import Role
from service.alerts.schemas import JobAlertCreate, JobAlertRead, JobAlertUpdate, SavedJobRead
from service.alerts.service import AlertService, alert_read, saved_read
from service.auth.guards import current_principal, require_roles
from service.config import beijing_today
from service.pagination import DbSession, IdPath, Limit, Offset, Page

GRADUATE_ONLY = [require_roles(Role.GRADUATE)]


def _service(request: Request, db_session: DbSession) -> AlertService:
    graduate_id = current_principal(request).graduate_id
    assert graduate_id is not None  # the guard lets graduates only, who always have one
    return AlertService(db_session, graduate_id)


class AlertController(Controller):
    path = "/me"
    tags = ["saved jobs and job alerts"]
    guards = GRADUATE_ONLY

    @get("/saved-jobs", summary="My saved jobs")
    async def saved_jobs(
        self, request: Request, db_session: DbSession, limit: Limit = 20, offset: Offset = 0
    ) -> Page[SavedJobRead]:
        """The caller's saved postings, newest saved first, each with its ``state`` now (``open``,
        ``closed``, ``filled``, ``expired``); postings of employers no longer verified are left out."""
        items, total = await _service(request, db_session).saved_jobs(limit, offset)
        today = beijing_today()
        return Page(items=[saved_read(s, today) for s in items], total=total, limit=limit, offset=offset)

    @put("/saved-jobs/{posting_id:int}", summary="Save a job", status_code=200)
    async def save_job(self, request: Request, db_session: DbSession, posting_id: IdPath) -> SavedJobRead:
        """Save the posting (again: unchanged, 200). Errors: 404 a posting graduates may not see or
        none; 409 over 200 saved jobs."""
        saved = await _service(request, db_session).save_job(posting_id)
        return saved_read(saved, beijing_today())

    @delete("/saved-jobs/{posting_id:int}", summary="Forget a saved job", status_code=204)
    async def unsave_job(self, request: Request, db_session: DbSession, posting_id: IdPath) -> None:
        """204 whether or not it was saved (unsaving twice is harmless)."""
        await _service(request, db_session).unsave_job(posting_id)

    @get("/job-alerts", summary="My job alerts (saved searches)")
    async def alerts(self, request: Request, db_session: DbSession) -> list[JobAlertRead]:
        """The caller's saved searches, oldest first (at most 20)."""
        return [alert_read(a) for a in await _service(request, db_session).alerts()]

    @post("/job-alerts", summary="Save a search as a job alert")
    async def create_alert(
        self, request: Request, db_session: DbSession, data: JSONBody[JobAlertCreate]
    ) -> JobAlertRead:
        """201 with the alert: the daily digest (job ``job_alert_digest``) sends the postings matching
        ``filters`` first published from now on. Errors: 400 unknown field; 422 a bad filter (named,
        e.g. ``filters.region``) or no filter; 409 over 20 alerts."""
        return alert_read(await _service(request, db_session).create(data))

    @get("/job-alerts/{alert_id:int}", summary="One of my job alerts")
    async def alert(self, request: Request, db_session: DbSession, alert_id: IdPath) -> JobAlertRead:
        """404 for another graduate's alert or none."""
        return alert_read(await _service(request, db_session).alert(alert_id))

    @patch("/job-alerts/{alert_id:int}", summary="Rename, pause or resume a job alert")
    async def update_alert(
        self, request: Request, db_session: DbSession, alert_id: IdPath, data: JSONBody[JobAlertUpdate]
    ) -> JobAlertRead:
        """``{"name": …}`` and/or ``{"active": false|true}``. A resumed alert sends only what is first
        published after resuming. 404 as ``GET``; 422 a blank name."""
        return alert_read(await _service(request, db_session).update_alert(alert_id, data))

    @delete("/job-alerts/{alert_id:int}", summary="Delete a job alert", status_code=204)
    async def delete_alert(self, request: Request, db_session: DbSession, alert_id: IdPath) -> None:
        """204; 404 as ``GET``."""
        await _service(request, db_session).delete_alert(alert_id)
