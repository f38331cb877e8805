"""Graduate pages: recommended jobs with reasons in plain words, search and filters, the items that would
open more nearby jobs, job detail, apply (htmx), my applications, my profile and my destination (毕业去向)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.response import Template

from service.accounts.models import Role
from service.alerts.service import AlertService
from service.applications.models import Application
from service.applications.repository import ApplicationFilter, ApplicationRepository
from service.applications.schemas import ApplicationCreate
from service.applications.service import ApplicationService, closed_reason
from service.auth.guards import (
    can_apply,
    can_change_graduate,
    can_read_employer,
    can_read_posting,
    can_self_report_destination,
    ensure_allowed,
    ensure_visible,
    require_roles,
)
from service.auth.scoping import applications_clause, postings_clause
from service.catalog.service import CatalogService
from service.config import beijing_today, latest_today
from service.destinations.models import DestinationCategory, DestinationEventKind, DestinationSource
from service.destinations.schemas import Confirmation, DestinationCreate, Dispute
from service.destinations.service import DestinationService
from service.employers.service import EmployerService
from service.errors import ConflictError, InvalidFieldError
from service.graduates.completeness import completeness
from service.graduates.identity import mask_id_number
from service.graduates.models import ExperienceKind, Graduate
from service.graduates.schemas import Award, Experience, GraduateUpdate
from service.graduates.service import GraduateService
from service.inputs import TEXT_BODY_BYTES
from service.pagination import DbSession, IdPath
from service.postings.models import Posting
from service.postings.repository import PostingFilter, PostingRepository
from service.recommendations.gaps import load_graduate, opening_items
from service.recommendations.service import RecommendationService, posting_summary, reasons
from service.web.common import (
    Page,
    PageDep,
    convert_form,
    domain_messages,
    render,
    see_other,
    split_items,
    translate_errors,
)
from service.web.interview_pages import latest_interviews
from service.web.job_search import JOB_TYPES, parse_query, region_options, region_path
from service.web.places import place_groups, place_names
from service.web.profile_form import (
    AWARD_FIELDS,
    EXPERIENCE_FIELDS,
    award_rows,
    blank,
    check_rows,
    experience_rows,
    read_rows,
)
from service.web.reasons import reason_phrases, salary_text, sentence
from service.web.suggest_pages import chips_context

GRADUATE_ONLY = [require_roles(Role.GRADUATE)]
#: Levels of a skills competition (技能大赛), as the 全国职业院校技能大赛 system names them.
AWARD_LEVELS = ("国家级", "省级", "市级", "校级")
#: How many recommendations the jobs page shows.
PAGE_SIZE = 20


def _iso(day: dt.date | None) -> str | None:
    """``day`` as ``YYYY-MM-DD`` (``None`` stays ``None``)."""
    return day.isoformat() if day else None


class GraduatePages(Controller):
    path = "/web"
    guards = GRADUATE_ONLY

    @get("/jobs")
    async def jobs(self, page: PageDep, db_session: DbSession) -> Template:
        """Recommended open postings, best first, each with its reasons in plain words; with any
        filter in the query string (``q``, ``region``, ``min_salary`` 元/月, ``job_type``,
        ``internship=1``: :mod:`service.web.job_search`) the postings matching them instead, ranked
        the same way. htmx requests aimed at ``#job-results`` get only the result list (the URL
        is pushed, so a search can be shared). Postings a graduate may not see (unverified
        employers) are never listed. Each posting has a save button, and a search a "save this search"
        form (:mod:`service.web.alert_pages`). The page also names the certificates or skills that would
        each open the most nearby postings (:mod:`service.recommendations.gaps`)."""
        p = page.user
        assert p.graduate_id is not None
        cache = page.request.app.state.ranker_cache
        graduate = await load_graduate(db_session, p.graduate_id)
        minimum = graduate.min_salary_monthly
        jq = parse_query(page)
        total = None
        if jq.active:
            found, total = await RecommendationService(db_session, cache).search(graduate, jq, PAGE_SIZE)
            rows = [(posting_summary(posting), m.score, reasons(m.explanation)) for posting, m in found]
        else:
            result = await RecommendationService(db_session, cache).for_graduate(p.graduate_id, PAGE_SIZE)
            ids = [item.posting.id for item in result.items]
            visible = await PostingRepository(db_session).visible_ids(ids, postings_clause(p))
            rows = [(item.posting, item.score, item.reasons) for item in result.items if item.posting.id in visible]
        items: list[dict[str, Any]] = [
            {
                "posting": summary,
                "score": score,
                "salary": salary_text(page.tr, summary.salary_min_monthly, summary.salary_max_monthly),
                "reasons": sentence(page.tr, reason_phrases(page.tr, why, summary, minimum)),
            }
            for summary, score, why in rows
        ]
        saved_ids = await AlertService(db_session, p.graduate_id).saved_ids([i["posting"].id for i in items])
        context: dict[str, Any] = {
            "items": items,
            "graduate": graduate,
            "jq": jq,
            "total": total,
            "completeness": completeness(graduate),
            "saved_ids": saved_ids,
        }
        headers = {"Vary": "HX-Request, HX-Target"}
        if (
            page.htmx
            and page.request.headers.get("hx-target") == "job-results"
            and not page.request.headers.get("hx-history-restore-request")
        ):
            return render(page, "partials/job_results.html", headers=headers, **context)
        gaps = await opening_items(db_session, cache, p.graduate_id, area="city")
        if not gaps.items:
            gaps = await opening_items(db_session, cache, p.graduate_id, area="province")
        return render(
            page,
            "graduate/jobs.html",
            headers=headers,
            gaps=gaps,
            regions=await region_options(db_session, beijing_today()),
            job_types=JOB_TYPES,
            **context,
        )

    async def _posting(self, page: Page, db_session: DbSession, posting_id: int) -> Posting:
        posting = await PostingRepository(db_session).get(posting_id)
        ensure_visible(posting is not None and can_read_posting(page.user, posting), "posting", posting_id)
        assert posting is not None
        return posting

    async def _own_application(self, page: Page, db_session: DbSession, posting_id: int) -> Application | None:
        graduate_id = page.user.graduate_id
        return await ApplicationRepository(db_session).find(graduate_id, posting_id) if graduate_id else None

    @get("/jobs/{posting_id:int}")
    async def job(self, page: PageDep, db_session: DbSession, posting_id: IdPath) -> Template:
        """One posting in full, with why it fits the graduate (the reasons of the recommendations,
        for an open posting), whether the graduate applied or saved it (the save button:
        :mod:`service.web.alert_pages`) and whether it still takes applications; a link to the employer's page; 404 page for a posting the graduate may not see."""
        posting = await self._posting(page, db_session, posting_id)
        saved = await AlertService(db_session, page.user.graduate_id or 0).saved_ids([posting_id])
        summary = posting_summary(posting)
        graduate = await load_graduate(db_session, page.user.graduate_id or 0)
        match = await RecommendationService(db_session, page.request.app.state.ranker_cache).fit(graduate, posting_id)
        why = (
            sentence(page.tr, reason_phrases(page.tr, reasons(match.explanation), summary, graduate.min_salary_monthly))
            if match
            else None
        )
        return render(
            page,
            "graduate/job.html",
            posting=posting,
            summary=summary,
            why=why,
            score=match.score if match and completeness(graduate).can_match else None,
            salary=salary_text(page.tr, posting.salary_min_monthly, posting.salary_max_monthly),
            application=await self._own_application(page, db_session, posting_id),
            saved=posting_id in saved,
            closed=closed_reason(posting, beijing_today()) is not None,
        )

    @get("/employers/{employer_id:int}")
    async def employer(self, page: PageDep, db_session: DbSession, employer_id: IdPath) -> Template:
        """An employer as graduates see it: name, industry, size, place and address, and its open
        jobs; 404 page for an employer graduates may not see (not verified), as ``GET /employers/{id}``."""
        employer = await EmployerService(db_session).get(employer_id)
        ensure_visible(can_read_employer(page.user, employer), "employer", employer_id)
        today = beijing_today()
        jobs, total = await PostingRepository(db_session).list(
            PostingFilter(employer_id=employer_id, open_on=today), limit=50, offset=0, scope=postings_clause(page.user)
        )
        place = await region_path(db_session, employer.region_code)
        return render(
            page,
            "graduate/employer.html",
            employer=employer,
            place=place,
            total=total,
            jobs=[
                {"posting": j, "salary": salary_text(page.tr, j.salary_min_monthly, j.salary_max_monthly)} for j in jobs
            ],
        )

    @post("/jobs/{posting_id:int}/apply", status_code=200)
    async def apply(self, page: PageDep, db_session: DbSession, posting_id: IdPath) -> Response[Any] | Template:
        """Apply to the posting (as ``POST /applications``, with the optional ``cover_letter`` note
        and ``share_contact`` consent; the résumé is kept as it is now). htmx gets the apply box fragment back
        (applied, or why not: closed, already applied; 200 either way, as htmx swaps only 2xx);
        a plain form post is sent back to the job page."""
        p = page.user
        ensure_allowed(p.graduate_id is not None and can_apply(p, p.graduate_id), "apply")
        await self._posting(page, db_session, posting_id)
        error = None
        form = await page.request.form()  # the note to the employer and the contact consent (optional)
        note = str(form.get("cover_letter") or "").strip() or None
        share = str(form.get("share_contact") or "").lower() in ("1", "true", "on", "yes")
        try:
            if note is not None and len(note) > 4000:
                raise InvalidFieldError("cover_letter", "at most 4000 characters")
            await ApplicationService(db_session).create(
                ApplicationCreate(
                    graduate_id=p.graduate_id or 0, posting_id=posting_id, cover_letter=note, share_contact=share
                )
            )
        except InvalidFieldError:
            error = page.gettext("The note to the employer can have at most %(n)s characters.") % {"n": 4000}
        except ConflictError:
            error = page.gettext("This job takes no applications now, or you have already applied.")
        if not page.htmx:
            return see_other(f"/web/jobs/{posting_id}")
        application = await self._own_application(page, db_session, posting_id)
        return render(
            page,
            "partials/apply_box.html",
            posting_id=posting_id,
            application=application,
            closed=error is not None and application is None and "4000" not in error,
            error=error,
        )

    @get("/applications")
    async def applications(self, page: PageDep, db_session: DbSession) -> Template:
        """The graduate's applications with their current status and history, newest first."""
        p = page.user
        items, _ = await ApplicationService(db_session).list(
            ApplicationFilter(graduate_id=p.graduate_id), 200, 0, applications_clause(p)
        )
        return render(
            page,
            "graduate/applications.html",
            applications=sorted(items, key=lambda a: -a.id),
            interviews=await latest_interviews(db_session, [a.id for a in items]),
        )

    # --- profile -------------------------------------------------------------------------

    async def _profile_graduate(self, page: Page, db_session: DbSession) -> Graduate:
        p = page.user
        assert p.graduate_id is not None
        graduate = await GraduateService(db_session).get(p.graduate_id)
        ensure_allowed(can_change_graduate(p, graduate), "change this profile")
        return graduate

    def _profile_page(
        self,
        page: Page,
        graduate: Graduate,
        values: dict[str, Any],
        errors: dict[str, str],
        status_code: int = 200,
        saved: bool = False,
    ) -> Template:
        rows = {
            "experiences": [*values["experiences"], blank(EXPERIENCE_FIELDS)],
            "awards": [*values["awards"], blank(AWARD_FIELDS)],
        }
        return render(
            page,
            "graduate/profile.html",
            status_code=status_code,
            graduate=graduate,
            values=values,
            id_masked=mask_id_number(graduate.id_number),
            completeness=completeness(graduate),
            errors=errors,
            saved=saved,
            job_types=JOB_TYPES,
            experience_kinds=list(ExperienceKind),
            award_levels=AWARD_LEVELS,
            rows=rows,
            skills=chips_context(page, "skills", values["skills"], error=errors.get("skills")),
            certificates=chips_context(
                page,
                "certificates",
                values["certificates"],
                error=errors.get("certificates"),
                levels={c.name: c.level for c in graduate.certificates},
            ),
        )

    @get("/profile")
    async def profile(self, page: PageDep, db_session: DbSession) -> Template:
        """The graduate's profile form: skills and certificates (with suggestions from the
        taxonomy as you type), jobs wanted, about you, internships and jobs held, competition
        awards, preferred places, minimum salary (元/月) and job types, with a completeness meter
        naming what would improve the recommendations (:mod:`service.graduates.completeness`); above it,
        read-only, what the school's roster says (school, major, 学号, cohort, graduation date,
        gender, education, kind, the 身份证号's last 4 characters), which only the school changes."""
        graduate = await self._profile_graduate(page, db_session)
        values = {
            "skills": list(graduate.skills),
            "certificates": [c.name for c in graduate.certificates],
            "preferred_locations": "、".join(graduate.preferred_locations),
            "min_salary_monthly": "" if graduate.min_salary_monthly is None else str(graduate.min_salary_monthly),
            "preferred_job_types": list(graduate.preferred_job_types),
            "desired_titles": "、".join(graduate.desired_titles),
            "summary": graduate.summary or "",
            "experiences": experience_rows(graduate),
            "awards": award_rows(graduate),
        }
        return self._profile_page(page, graduate, values, {}, saved=page.request.query_params.get("saved") == "1")

    @post("/profile", status_code=303, request_max_body_size=TEXT_BODY_BYTES)
    async def save_profile(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession
    ) -> Response[Any] | Template:
        """Save the profile form through :meth:`GraduateService.update` (the rules of
        ``PATCH /graduates/{id}``): 303 back to the form on success; otherwise 422 with each
        error next to its field (nothing is stored). Certificates kept keep their level, issuer
        and date; new ones are stored by name."""
        graduate = await self._profile_graduate(page, db_session)
        form = await request.form()
        skills = list(dict.fromkeys([*form.getall("skills", []), *split_items(form.get("skills_new"))]))
        cert_names = list(dict.fromkeys([*form.getall("certificates", []), *split_items(form.get("certificates_new"))]))
        stored = {c.name: c for c in graduate.certificates}
        certificates = [
            {
                "name": n,
                "level": stored[n].level,
                "issuer": stored[n].issuer,
                "issued_on": _iso(stored[n].issued_on),
            }
            if n in stored
            else {"name": n}
            for n in cert_names
        ]
        salary = (form.get("min_salary_monthly") or "").strip().replace(",", "").replace("，", "")
        experiences = read_rows(form, "exp", EXPERIENCE_FIELDS)
        awards = read_rows(form, "award", AWARD_FIELDS)
        values: dict[str, Any] = {
            "skills": skills,
            "certificates": cert_names,
            "preferred_locations": form.get("preferred_locations") or "",
            "min_salary_monthly": salary,
            "preferred_job_types": form.getall("preferred_job_types", []),
            "desired_titles": form.get("desired_titles") or "",
            "summary": form.get("summary") or "",
            "experiences": experiences,
            "awards": awards,
        }
        experience_data, row_errors = check_rows(experiences, Experience, "exp")
        award_data, award_errors = check_rows(awards, Award, "award")
        data: dict[str, Any] = {
            "skills": skills,
            "certificates": certificates,
            "preferred_locations": split_items(values["preferred_locations"]),
            "min_salary_monthly": salary or None,
            "preferred_job_types": values["preferred_job_types"],
            "desired_titles": split_items(values["desired_titles"]),
            "summary": values["summary"].strip(),
            "experiences": experience_data,
            "awards": award_data,
        }
        update, errors = convert_form(data, GraduateUpdate)
        if row_errors or award_errors:  # each row's error is shown at its row, not once for the list
            errors = {k: v for k, v in errors.items() if k not in ("experiences", "awards")}
            errors.update(row_errors | award_errors)
        errors = translate_errors(page.tr, errors)
        service = GraduateService(db_session, actor=page.user, request=request)
        unknown = await service.unknown_places(data["preferred_locations"])  # the API's rule, said per item
        if unknown:
            errors["preferred_locations"] = page.gettext(
                "Unknown place: %(items)s. Enter city or county names or 6-digit region codes."
            ) % {"items": page.gettext("LIST_SEPARATOR").join(unknown)}
        if update is not None and not errors:
            try:
                await service.update(graduate.id, update)
            except (InvalidFieldError, ConflictError) as exc:
                errors = domain_messages(page.tr, exc)
        if errors:
            return self._profile_page(page, graduate, values, errors, status_code=422)
        return see_other("/web/profile?saved=1", page)

    # --- destination ---------------------------------------------------------------------

    async def _destination_page(
        self,
        page: Page,
        db_session: DbSession,
        values: dict[str, Any] | None = None,
        errors: dict[str, str] | None = None,
        status_code: int = 200,
    ) -> Template:
        p = page.user
        assert p.graduate_id is not None
        history = await DestinationService(db_session).history(p.graduate_id)
        outcomes = [e for e in history.events if e.kind is DestinationEventKind.OUTCOME]
        answered = {
            e.refers_to_id: e
            for e in history.events
            if e.kind in (DestinationEventKind.CONFIRMATION, DestinationEventKind.DISPUTE)
        }
        cities = await place_groups(db_session)  # the whole country, grouped by province
        places = place_names(cities)
        codes = {e.region_code for e in outcomes if e.region_code and e.region_code not in places}
        if codes:
            places.update(await CatalogService(db_session).region_names(codes))
        return render(
            page,
            "graduate/destination.html",
            status_code=status_code,
            history=history,
            outcomes=list(reversed(outcomes)),
            answered=answered,
            categories=list(DestinationCategory),
            accepted={e.refers_to_id: e for e in outcomes if e.refers_to_id is not None},
            cities=cities,
            places=places,
            values=values or {"occurred_on": latest_today().isoformat()},
            errors=errors or {},
            report_failed=bool(errors) and not any(k.startswith("reason-") for k in errors or {}),
            saved=page.request.query_params.get("saved"),
        )

    @get("/destination")
    async def destination(self, page: PageDep, db_session: DbSession) -> Template:
        """Where I went (毕业去向): what counts today, every recorded outcome with a confirm or
        dispute form for those recorded by others, and the self-report form (category from the
        MOE categories, employer, job title, city, monthly salary 元/月, since when)."""
        return await self._destination_page(page, db_session)

    @post("/destination", status_code=303)
    async def report_destination(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession
    ) -> Response[Any] | Template:
        """Record a self-report through :meth:`DestinationService.record` (the rules of
        ``POST /graduates/{id}/destinations``): 303 back to the page, or 422 with each error next
        to its field (nothing stored). A salary or employer on a category that is not employment is refused."""
        p = page.user
        assert p.graduate_id is not None
        graduate = await GraduateService(db_session).get(p.graduate_id)
        ensure_allowed(can_self_report_destination(p, graduate), "report a destination")
        form = await request.form()
        names = ("category", "employer_name", "job_title", "region_code", "monthly_salary", "occurred_on")
        values = {n: (form.get(n) or "").strip() for n in names}
        data: dict[str, Any] = {
            "source": DestinationSource.SELF_REPORT.value,
            **{n: v.replace(",", "") if n == "monthly_salary" else v for n, v in values.items() if v},
        }
        errors: dict[str, str] = {}
        if not values["category"]:
            errors["category"] = page.gettext("Choose what you are doing now.")
        if not values["occurred_on"]:
            errors["occurred_on"] = page.gettext("Enter the date it started.")
        report, more = convert_form(data, DestinationCreate, {"category": "seeking", "occurred_on": "2000-01-01"})
        errors = {**translate_errors(page.tr, more), **errors}
        if report is not None and not errors:
            try:
                await DestinationService(db_session, actor=p, request=request).record(p.graduate_id, report)
            except (InvalidFieldError, ConflictError) as exc:
                errors = domain_messages(page.tr, exc)
        if errors:
            return await self._destination_page(page, db_session, values, errors, status_code=422)
        return see_other("/web/destination?saved=report", page)

    @post("/destination/{event_id:int}/confirm", status_code=303)
    async def confirm_destination(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, event_id: IdPath
    ) -> Response[Any]:
        """Confirm the recorded outcome ``event_id`` (as ``POST …/destinations/{id}/confirmation``);
        404 for another graduate's event, 409 page for an event that is not an outcome."""
        p = page.user
        assert p.graduate_id is not None
        graduate = await GraduateService(db_session).get(p.graduate_id)
        ensure_allowed(can_self_report_destination(p, graduate), "confirm a destination")
        await DestinationService(db_session, actor=p, request=request).confirm(p.graduate_id, event_id, Confirmation())
        return see_other("/web/destination?saved=confirm", page)

    @post("/destination/{event_id:int}/dispute", status_code=303)
    async def dispute_destination(
        self, request: Request[Any, Any, Any], page: PageDep, db_session: DbSession, event_id: IdPath
    ) -> Response[Any] | Template:
        """Dispute the recorded outcome ``event_id`` with a reason (2–500 characters; as
        ``POST …/destinations/{id}/dispute``): the outcome stops counting. 422 with the error
        next to the reason box when the reason is missing."""
        p = page.user
        assert p.graduate_id is not None
        graduate = await GraduateService(db_session).get(p.graduate_id)
        ensure_allowed(can_self_report_destination(p, graduate), "dispute a destination")
        form = await request.form()
        dispute, errors = convert_form({"reason": (form.get("reason") or "").strip()}, Dispute)
        if dispute is None:
            message = page.gettext("Say in a few words what is wrong (2–500 characters).")
            return await self._destination_page(
                page, db_session, errors={f"reason-{event_id}": message}, status_code=422
            )
        await DestinationService(db_session, actor=p, request=request).dispute(p.graduate_id, event_id, dispute)
        return see_other("/web/destination?saved=dispute", page)
