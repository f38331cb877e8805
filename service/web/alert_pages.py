"""Graduate pages for saved jobs (收藏的职位) and job alerts (职位提醒, saved searches).

* ``POST /web/jobs/{id}/save`` (``action=save|unsave``): from a job's page and the job list; htmx
  gets the button back in its new state, a plain form post is sent back (``next``, a local path, or
  the job's page);
* ``GET /web/saved-jobs``: the saved postings, a closed, filled or expired one marked as such;
* ``POST /web/job-alerts``: save the search of ``/web/jobs`` (its filters, a name);
* ``GET /web/job-alerts``: the saved searches, each renamed, paused or resumed and deleted with
  ``POST /web/job-alerts/{id}`` (``action=rename|pause|resume|delete``).

Every change goes through :class:`service.alerts.service.AlertService`, as the ``/me/…`` API does.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Response, get, post
from litestar.response import Template

from service.accounts.models import Role
from service.alerts.models import JobAlert
from service.alerts.schemas import JobAlertUpdate
from service.alerts.service import MAX_ALERTS, MAX_SAVED_JOBS, AlertService, posting_state
from service.auth.guards import require_roles
from service.catalog.service import CatalogService
from service.config import beijing_today
from service.errors import ConflictError, InvalidFieldError
from service.pagination import DbSession, IdPath
from service.postings.search import FILTER_NAMES, parse_filters
from service.web.common import Page, PageDep, render, see_other
from service.web.reasons import salary_text

GRADUATE_ONLY = [require_roles(Role.GRADUATE)]


def _service(page: Page, db_session: DbSession) -> AlertService:
    assert page.user.graduate_id is not None
    return AlertService(db_session, page.user.graduate_id)


def _local(path: str | None, default: str) -> str:
    """``path`` when it is a path on this site (``/web/…``), else ``default`` (no open redirect)."""
    if (
        path
        and path.startswith("/web/")
        and not path.startswith("//")
        and "\\" not in path
        and not any(c in path for c in "\r\n\t")
    ):
        return path
    return default


async def _region_names(db_session: DbSession, alerts: list[JobAlert]) -> dict[str, str]:
    codes = {str(a.filters.get("region")) for a in alerts if a.filters.get("region")}
    if not codes:
        return {}
    return await CatalogService(db_session).region_names(codes)


class AlertPages(Controller):
    path = "/web"
    guards = GRADUATE_ONLY

    # --- saved jobs ----------------------------------------------------------------------------

    @post("/jobs/{posting_id:int}/save", status_code=200)
    async def save(self, page: PageDep, db_session: DbSession, posting_id: IdPath) -> Response[Any] | Template:
        """Save (``action=save``, the default) or forget (``action=unsave``) the posting, as
        ``PUT``/``DELETE /me/saved-jobs/{id}``. A posting graduates may not see is the 404 page;
        over the limit the button says so. htmx: the button in its new state (200); otherwise 303
        to ``next`` (a local path) or the job's page."""
        form = await page.request.form()
        service = _service(page, db_session)
        error = None
        if str(form.get("action") or "save") == "unsave":
            await service.unsave_job(posting_id)
        else:
            try:
                await service.save_job(posting_id)
            except ConflictError:
                error = page.gettext("You can keep at most %(n)s saved jobs. Remove some first.") % {
                    "n": MAX_SAVED_JOBS
                }
        if not page.htmx:
            return see_other(_local(str(form.get("next") or ""), f"/web/jobs/{posting_id}"))
        saved = posting_id in await service.saved_ids([posting_id])
        return render(
            page,
            "partials/save_job.html",
            posting_id=posting_id,
            saved=saved,
            error=error,
            next=str(form.get("next") or ""),
        )

    @get("/saved-jobs")
    async def saved_jobs(self, page: PageDep, db_session: DbSession) -> Template:
        """The graduate's saved postings, newest saved first, each with its employer, place, pay and
        whether it is still open (closed, filled and expired ones stay, marked)."""
        items, total = await _service(page, db_session).saved_jobs()
        today = beijing_today()
        rows = [
            {
                "posting": s.posting,
                "state": posting_state(s.posting, today),
                "saved_at": s.created_at,
                "salary": salary_text(page.tr, s.posting.salary_min_monthly, s.posting.salary_max_monthly),
            }
            for s in items
        ]
        return render(page, "graduate/saved_jobs.html", rows=rows, total=total, limit=MAX_SAVED_JOBS)

    # --- job alerts ----------------------------------------------------------------------------

    async def _alerts_page(
        self, page: Page, db_session: DbSession, *, error: str | None = None, status_code: int = 200
    ) -> Template:
        alerts = await _service(page, db_session).alerts()
        rows = [{"alert": a, "jq": parse_filters(a.filters)} for a in alerts]
        return render(
            page,
            "graduate/job_alerts.html",
            status_code=status_code,
            rows=rows,
            error=error,
            regions=await _region_names(db_session, alerts),
            limit=MAX_ALERTS,
            saved=page.request.query_params.get("saved"),
        )

    @get("/job-alerts")
    async def job_alerts(self, page: PageDep, db_session: DbSession) -> Template:
        """The saved searches: name, filters, active or paused, when a digest last listed postings;
        a form each to rename, pause or resume and delete, and a link to its postings now."""
        return await self._alerts_page(page, db_session)

    @post("/job-alerts", status_code=303)
    async def create_alert(self, page: PageDep, db_session: DbSession) -> Response[Any] | Template:
        """Save the search sent from ``/web/jobs`` (its filters as hidden fields, and ``name``;
        blank: the keywords, or "My search"), as ``POST /me/job-alerts``: 303 to the alerts page,
        or that page with the error (422: nothing to save or a bad filter; 409: over the limit)."""
        form = await page.request.form()
        jq = parse_filters({name: form.get(name) for name in FILTER_NAMES}, page.gettext)
        name = str(form.get("name") or "").strip() or jq.q or page.gettext("My search")
        try:
            alert = await _service(page, db_session).create_alert(name[:100], jq)
        except InvalidFieldError as exc:
            message = next(iter(jq.errors.values()), None) or (
                page.gettext("Give the search a name of at most 100 characters.")
                if exc.errors[0]["field"] == "name"
                else page.gettext("Choose at least one filter before saving the search.")
            )
            return await self._alerts_page(page, db_session, error=message, status_code=422)
        except ConflictError:
            message = page.gettext("You can keep at most %(n)s saved searches. Delete one first.") % {"n": MAX_ALERTS}
            return await self._alerts_page(page, db_session, error=message, status_code=409)
        return see_other(f"/web/job-alerts?saved=created#alert-{alert.id}", page)

    @post("/job-alerts/{alert_id:int}", status_code=303)
    async def change_alert(self, page: PageDep, db_session: DbSession, alert_id: IdPath) -> Response[Any] | Template:
        """``action=rename`` (with ``name``), ``pause``, ``resume`` or ``delete``, as
        ``PATCH``/``DELETE /me/job-alerts/{id}``: 303 back to the list; another graduate's alert is
        the 404 page; a blank name 422 with the error."""
        form = await page.request.form()
        action = str(form.get("action") or "")
        service = _service(page, db_session)
        if action == "delete":
            await service.delete_alert(alert_id)
        elif action in ("pause", "resume"):
            await service.update_alert(alert_id, JobAlertUpdate(active=action == "resume"))
        elif action == "rename":
            name = str(form.get("name") or "").strip()
            if not name or len(name) > 100:
                await service.alert(alert_id)  # another graduate's: 404, not a form error
                return await self._alerts_page(
                    page,
                    db_session,
                    status_code=422,
                    error=page.gettext("Give the search a name of at most 100 characters."),
                )
            await service.update_alert(alert_id, JobAlertUpdate(name=name))
        else:
            await service.alert(alert_id)
            return await self._alerts_page(
                page, db_session, status_code=422, error=page.gettext("Choose what to do with the search.")
            )
        return see_other(f"/web/job-alerts?saved={action}", page)
