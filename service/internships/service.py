"""Internship placements (顶岗实习): recorded by the student's school, confirmed by the employer,
seen by the student, counted for staff.

Who may do what (the API and the web pages call these methods):

* **record** and **attach the agreement**: the staff of the student's school and the admin;
* **confirm**: the members of the placement's employer and the admin;
* **read**: as :func:`service.auth.scoping.internships_clause` (the student, the employer, the
  school's staff, department admins of the school's region, the admin); a placement the caller
  may not read is a 404, as a missing one;
* **counts**: staff (school, department, admin) over the placements they may read.

An internship is never an employment outcome: nothing here writes a destination event, and the
employment reports (:mod:`service.reports`) never read this table — 《职业学校学生实习管理规定》
(教职成〔2021〕4号) makes 岗位实习 part of the course, and the Ministry's 毕业去向 rules count an
internship (实习) as 待就业, not as 就业 (see :mod:`service.destinations.precedence`, rule 5).
Every change is audited; services flush, never commit.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from litestar.connection import ASGIConnection
from sqlalchemy import distinct, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.auth.guards import Principal, ensure_allowed, ensure_visible
from service.auth.scoping import employers_clause, graduates_clause, internships_clause
from service.catalog.models import School
from service.config import beijing_today
from service.db import utcnow
from service.employers.models import Employer
from service.errors import ConflictError, InvalidFieldError
from service.graduates.models import Graduate
from service.internships import repository
from service.internships.models import Internship, InternshipStatus
from service.internships.schemas import CountRow, InternshipCounts, InternshipCreate, InternshipRead
from service.internships.storage import check_pdf, path_of, store
from service.notifications.kinds import Kind
from service.notifications.service import employer_recipients, graduate_recipients, notify
from service.postings.models import Posting
from service.privacy.audit import record, record_list_read
from service.privacy.models import AuditAction
from service.storage import unlink_after_commit

STAFF_ROLES = (Role.SCHOOL, Role.DEPARTMENT, Role.ADMIN)
#: The page of the placements in every reader's links (the page shows each role its own view).
LINK = "/web/internships"


def to_read(row: Any) -> InternshipRead:
    """The API view of one row of :func:`service.internships.repository.read_columns`."""
    i, student, major_code, cohort, school_name, employer_name, posting_title = row
    return InternshipRead(
        id=i.id,
        graduate_id=i.graduate_id,
        student_name=student,
        school_id=i.school_id,
        school_name=school_name,
        major_code=major_code,
        cohort=cohort,
        employer_id=i.employer_id,
        employer_name=employer_name,
        posting_id=i.posting_id,
        posting_title=posting_title,
        start_date=i.start_date,
        end_date=i.end_date,
        supervisor_name=i.supervisor_name,
        insured=i.insured,
        insurer=i.insurer,
        policy_number=i.policy_number,
        agreement=i.agreement_key is not None,
        agreement_filename=i.agreement_filename,
        agreement_size=i.agreement_size,
        status=i.status,
        confirmed_at=i.confirmed_at,
    )


def can_record_for(p: Principal, graduate: Graduate) -> bool:
    """Record a placement of ``graduate``: the staff of the student's school, and the admin."""
    return p.role is Role.ADMIN or (
        p.role is Role.SCHOOL and graduate.school_id is not None and graduate.school_id == p.school_id
    )


def can_confirm(p: Principal, internship: Internship) -> bool:
    """Confirm a placement: the employer's members, and the admin."""
    return p.role is Role.ADMIN or (p.role is Role.EMPLOYER and p.employer_id == internship.employer_id)


class InternshipService:
    """Placements as ``actor`` may see and change them (``request`` goes to the audit events)."""

    def __init__(
        self, session: AsyncSession, actor: Principal, request: ASGIConnection[Any, Any, Any, Any] | None = None
    ) -> None:
        self.session = session
        self.actor = actor
        self.request = request

    async def _visible(self, internship_id: int) -> Internship:
        """The placement, if the actor may read it (404 otherwise, as for an unknown id)."""
        row = (
            await self.session.execute(
                select(Internship).where(Internship.id == internship_id, internships_clause(self.actor))
            )
        ).scalar_one_or_none()
        ensure_visible(row is not None, "internship", internship_id)
        assert row is not None
        return row

    async def employer_choices(self, limit: int) -> list[str]:
        """The verified employers the actor may read (by name, at most ``limit``): the record form's list."""
        return await repository.verified_employer_names(self.session, employers_clause(self.actor), limit)

    async def employer_named(self, name: str) -> int | None:
        """The one verified employer the actor may read called ``name`` (trimmed); ``None`` when
        there is none or there are namesakes (never a guess between two)."""
        found = await repository.verified_employer_ids_named(self.session, employers_clause(self.actor), name.strip())
        return found[0] if len(found) == 1 else None

    async def student_named(self, student_number: str) -> int | None:
        """The id of the actor's school's student with ``student_number`` (trimmed); ``None`` if none."""
        return await repository.student_id(self.session, self.actor.school_id, student_number.strip())

    async def record(self, data: InternshipCreate) -> Internship:
        """Record a placement (status ``pending``); notify the employer's members (to confirm) and
        the student. 404: a student the actor may not read (or unknown); 403: a student of another
        school than the actor's (department admins only read); 422: unknown employer, a posting of
        another employer, an end before the start, ``insured`` without the insurer (each named)."""
        p = self.actor
        graduate = (
            await self.session.execute(select(Graduate).where(Graduate.id == data.graduate_id, graduates_clause(p)))
        ).scalar_one_or_none()
        ensure_visible(graduate is not None, "graduate", data.graduate_id)
        assert graduate is not None
        ensure_allowed(
            can_record_for(p, graduate),
            f"record an internship for graduate {data.graduate_id} (only the student's school records placements)",
        )
        if graduate.school_id is None:
            raise InvalidFieldError(
                "graduate_id", "the student has no school: only a school's students take placements / 该学生没有学校"
            )
        employer = await self.session.get(Employer, data.employer_id)
        if employer is None:
            raise InvalidFieldError("employer_id", f"no employer {data.employer_id} / 用人单位不存在")
        if not employer.verified:  # an unchecked sign-up (perhaps a look-alike name) gets no student's data
            raise InvalidFieldError(
                "employer_id",
                f"{employer.name} is not verified yet: placements go to verified employers only / 该单位尚未通过审核",
            )
        if data.posting_id is not None:
            posting = await self.session.get(Posting, data.posting_id)
            if posting is None or posting.employer_id != employer.id:
                raise InvalidFieldError(
                    "posting_id",
                    f"posting {data.posting_id} is not one of {employer.name}'s postings / 岗位不属于该单位",
                )
        if data.end_date < data.start_date:
            raise InvalidFieldError(
                "end_date",
                f"{data.end_date} is before the start {data.start_date} / 结束日期早于开始日期",
                "date_too_early",
            )
        if data.insured and not data.insurer:
            raise InvalidFieldError("insurer", "name the insurer of the internship insurance / 请填写承保公司")
        internship = Internship(
            graduate_id=graduate.id,
            school_id=graduate.school_id,
            employer_id=employer.id,
            posting_id=data.posting_id,
            start_date=data.start_date,
            end_date=data.end_date,
            supervisor_name=data.supervisor_name.strip(),
            insured=data.insured,
            insurer=data.insurer if data.insured else None,
            policy_number=data.policy_number if data.insured else None,
            status=InternshipStatus.PENDING,
            recorded_by_user_id=p.user_id,
        )
        self.session.add(internship)
        await self.session.flush()
        await record(
            self.session,
            p,
            AuditAction.CREATE,
            "internship",
            internship.id,
            graduate_id=graduate.id,
            detail={"employer_id": employer.id},
            request=self.request,
        )
        school = await self.session.get(School, graduate.school_id)
        period = {"start_date": data.start_date.isoformat(), "end_date": data.end_date.isoformat()}
        await notify(
            self.session,
            recipients=await employer_recipients(self.session, employer.id),
            kind=Kind.INTERNSHIP_TO_CONFIRM,
            params={"school_name": school.name if school else "—", **period},
            link=LINK,
        )
        students = (await graduate_recipients(self.session, [graduate.id])).get(graduate.id, [])
        await notify(
            self.session,
            recipients=students,
            kind=Kind.INTERNSHIP_RECORDED,
            params={"employer_name": employer.name, **period},
            link=LINK,
        )
        return internship

    async def attach_agreement(self, internship_id: int, data: bytes, filename: str, directory: str) -> Internship:
        """Store the three-party agreement (a PDF by content, see :mod:`service.internships.storage`)
        of a placement, replacing any earlier one. 404 as :meth:`get`; 403 for anyone but the staff
        of the student's school and the admin; 422 for a file that is empty, too large or not a PDF."""
        internship = await self._visible(internship_id)
        graduate = await self.session.get(Graduate, internship.graduate_id)
        assert graduate is not None
        ensure_allowed(
            self.actor.role is Role.ADMIN
            or (self.actor.role is Role.SCHOOL and internship.school_id == self.actor.school_id),
            f"attach the agreement of internship {internship_id}",
        )
        check_pdf(data, filename)
        replaced = internship.agreement_key
        stored = store(directory, data)
        internship.agreement_key, internship.agreement_size = stored.key, stored.size
        internship.agreement_sha256 = stored.sha256
        internship.agreement_filename = (filename or "agreement.pdf")[-255:]
        await self.session.flush()
        await record(
            self.session,
            self.actor,
            AuditAction.UPDATE,
            "internship",
            internship.id,
            graduate_id=internship.graduate_id,
            detail={"agreement_sha256": stored.sha256},
            request=self.request,
        )
        if replaced is not None:  # the old signed agreement must not outlive its row (nor an erasure)
            unlink_after_commit(self.session, path_of(directory, replaced))
        return internship

    async def agreement(self, internship_id: int, directory: str) -> tuple[Internship, Any]:
        """The placement and the path of its agreement file, for a reader of the placement
        (its download is a personal-data read: audited). 404 when there is none."""
        internship = await self._visible(internship_id)
        ensure_visible(internship.agreement_key is not None, "agreement of internship", internship_id)
        assert internship.agreement_key is not None
        path = path_of(directory, internship.agreement_key)
        ensure_visible(path.is_file(), "agreement file of internship", internship_id)
        await record(
            self.session,
            self.actor,
            AuditAction.READ,
            "internship_agreement",
            internship.id,
            graduate_id=internship.graduate_id,
            request=self.request,
        )
        return internship, path

    async def confirm(self, internship_id: int) -> Internship:
        """The employer confirms the placement; the student is notified. 404 as :meth:`get`; 403
        for anyone but the employer's members and the admin; 409 when already confirmed."""
        internship = await self._visible(internship_id)
        ensure_allowed(can_confirm(self.actor, internship), f"confirm internship {internship_id}")
        if internship.status is InternshipStatus.CONFIRMED:
            raise ConflictError(f"internship {internship_id} is already confirmed / 已确认")
        internship.status = InternshipStatus.CONFIRMED
        internship.confirmed_at = utcnow()
        internship.confirmed_by_user_id = self.actor.user_id
        await self.session.flush()
        await record(
            self.session,
            self.actor,
            AuditAction.CONFIRM,
            "internship",
            internship.id,
            graduate_id=internship.graduate_id,
            request=self.request,
        )
        employer = await self.session.get(Employer, internship.employer_id)
        students = (await graduate_recipients(self.session, [internship.graduate_id])).get(internship.graduate_id, [])
        await notify(
            self.session,
            recipients=students,
            kind=Kind.INTERNSHIP_CONFIRMED,
            params={"employer_name": employer.name if employer else "—"},
            link=LINK,
        )
        return internship

    async def get(self, internship_id: int) -> InternshipRead:
        """One placement the actor may read (404 otherwise); a read by anyone but the student is audited."""
        row = (
            await self.session.execute(
                repository.read_columns().where(Internship.id == internship_id, internships_clause(self.actor))
            )
        ).first()
        ensure_visible(row is not None, "internship", internship_id)
        assert row is not None  # ensure_visible raised otherwise
        if self.actor.role is not Role.GRADUATE:
            await record_list_read(self.session, self.actor, "internship", [row[0].graduate_id], request=self.request)
        return to_read(row)

    async def page(
        self, *, limit: int, offset: int, cohort: int | None = None, status: InternshipStatus | None = None
    ) -> tuple[list[InternshipRead], int]:
        """The placements the actor may read (newest period first) and their total; each listed
        student's name shown to anyone but themselves is an audited read."""
        clause = [internships_clause(self.actor)]
        if cohort is not None:
            clause.append(Graduate.cohort == cohort)
        if status is not None:
            clause.append(Internship.status == status)
        stmt = repository.read_columns().where(*clause)
        total = await self.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
        rows = (
            await self.session.execute(
                stmt.order_by(Internship.start_date.desc(), Internship.id.desc()).limit(limit).offset(offset)
            )
        ).all()
        if rows and self.actor.role is not Role.GRADUATE:
            await record_list_read(
                self.session,
                self.actor,
                "internship_list",
                list(dict.fromkeys(r[0].graduate_id for r in rows)),
                request=self.request,
            )
        return [to_read(r) for r in rows], total

    async def counts(self, cohort: int | None) -> InternshipCounts:
        """Placements by school, major and employer in the actor's scope (staff only: 403 else), and
        for ``cohort`` the share of its students (graduate records of the schools in scope) with at
        least one placement. Aggregates only: no one's name."""
        ensure_allowed(self.actor.role in STAFF_ROLES, "read internship counts")
        clause = internships_clause(self.actor)
        rows = {
            by: [
                CountRow(
                    key=str(k) if k is not None else "",
                    name=n or ("—" if k is None else str(k)),
                    placements=int(pl),
                    students=int(st),
                    confirmed=int(c or 0),
                )
                for k, n, pl, st, c in await repository.breakdown(self.session, clause, by, cohort)
            ]
            for by in ("school", "major", "employer")
        }
        students = placed = 0
        if cohort is not None:
            students = (
                await self.session.scalar(
                    select(func.count())
                    .select_from(Graduate)
                    .where(graduates_clause(self.actor), Graduate.cohort == cohort, Graduate.school_id.is_not(None))
                )
                or 0
            )
            placed = (
                await self.session.scalar(
                    select(func.count(distinct(Internship.graduate_id)))
                    .join(Graduate, Graduate.id == Internship.graduate_id)
                    .where(clause, Graduate.cohort == cohort)
                )
                or 0
            )
        return InternshipCounts(
            cohort=cohort,
            students=students,
            placed=placed,
            share_placed=round(placed / students, 4) if students else None,
            by_school=rows["school"],
            by_major=rows["major"],
            by_employer=rows["employer"],
        )


def default_cohort(today: dt.date | None = None) -> int:
    """The cohort in its placement year: students graduating next summer (a 中职 student's third
    year, the year of 顶岗实习 — "一年在企业实习")."""
    today = today or beijing_today()
    return today.year + 1 if today.month >= 9 else today.year


async def erase_agreements(session: AsyncSession, graduate_id: int, directory: str | None) -> int:
    """On the erasure of a graduate's personal data (:func:`service.privacy.deletion.execute_deletion`):
    forget the agreements of their placements (the signed 三方协议 names and identifies the student)
    and delete the files under ``directory``. The placements themselves stay (school, employer,
    period: no personal data) so past internship counts do not change. A file is deleted before the
    transaction commits: should it roll back, the placement points to no file and its download is a 404
    — erasure errs on the side of deleting. Returns the number of agreements erased."""
    rows = (
        (
            await session.execute(
                select(Internship).where(Internship.graduate_id == graduate_id, Internship.agreement_key.is_not(None))
            )
        )
        .scalars()
        .all()
    )
    for internship in rows:
        if directory is not None and internship.agreement_key is not None:
            path_of(directory, internship.agreement_key).unlink(missing_ok=True)
        internship.agreement_key = internship.agreement_filename = internship.agreement_sha256 = None
        internship.agreement_size = None
    await session.flush()
    return len(rows)
