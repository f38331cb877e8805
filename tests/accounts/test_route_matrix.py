"""The authorisation matrix (issue 6): every route of the app × every role × own vs foreign object.

One world per backend for the whole module (built once, then probed over real HTTP): two schools
(A in 广州 天河区, B in 南宁), a verified employer A, an unverified employer B and a verified
employer C, a graduate at each school, postings, applications (graduate A → posting A, graduate B
→ posting B), a destination outcome per graduate and a report snapshot per school. The callers
are a graduate (graduate A), an employer member (employer A), school staff (school A), a
department admin (广州市 440100, holding school A), the system admin, and an anonymous caller.
"Own" is always the A side; "foreign" the B side.

Each probe asserts the exact status; every refused probe (401/403/404) also asserts that none
of the foreign object's personal strings (name, phone, 身份证号, employer name, posting title,
cover letter) appear in the body, and list probes assert what each role must and must not see.
Probes that write use objects made for that probe (``fresh_*``), so the world the read probes
see does not drift.

Adding a route: add one entry to :data:`MATRIX` keyed ``"METHOD /path"`` exactly as
``test_every_route_has_a_matrix_entry`` prints it (Litestar's path, with ``{id:int}``
converters), giving a :class:`Probe` with the path template, the placeholders for own and
foreign targets, the request (body/params/files, per side and role when they differ) and the
expected ``(own, foreign)`` status per role (``ANY`` when own and foreign are the same). The
test fails for any route without an entry, and for entries whose route no longer exists.
The web pages (``GET /`` and everything under ``/web``) have their entries in
``tests/accounts/test_web_route_matrix.py`` (``WEB_MATRIX``: cookie session, CSRF, redirects to
the sign-in page), probed against this module's world; the check above counts both.
"""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import msgspec
import pytest
from sqlalchemy import text

from service.accounts.models import Role
from service.app import create_app
from service.applications.models import Application, ApplicationEvent, ApplicationStatus
from service.catalog.models import School
from service.config import Settings
from service.db import make_sessionmaker
from service.destinations.models import DestinationCategory, DestinationSource
from service.destinations.schemas import DestinationCreate
from service.destinations.service import DestinationService
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.models import Base
from service.postings.models import Posting
from service.reports.models import ReportSnapshot
from tests.conftest import TEST_PASSWORD, LiveServer, create_account
from tests.factories import places
from tests.harness import background_loop, dispose_engine, http_client, shared_engine

ROLES = ("anonymous", "graduate", "employer", "school", "department", "admin")
AS_OF = "2026-09-01"
CUTOFF = "2030-01-01T00:00:00+00:00"
#: Personal strings of the B side (never in a refused answer, nor in lists of A-side callers).
SECRETS = {
    "graduate_b_name": "黄丽娟",
    "graduate_b_phone": "13900139000",
    "graduate_b_id_number": "450103200501010026",
    "employer_b_name": "未审核贸易有限公司",
    "posting_b_title": "仓库管理员（夜班）",
    "application_b_letter": "乙方求职信内容",
    "notification_b_title": "他人通知的保密岗位",
}
OWN = {
    "graduate_a_name": "陈小明",
    "employer_a_name": "广州数控设备有限公司",
    "posting_a_title": "数控车床操作工",
    "notification_a_title": "本人通知的岗位",
}


# --- the world ---------------------------------------------------------------------------------


@dataclass
class World:
    settings: Settings
    base_url: str = ""
    ids: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def run(self, work: Callable[[Any], Any]) -> Any:
        """``work(session)`` in one committed transaction, on the process's background loop with the
        database's shared engine (:mod:`tests.harness`): no engine, thread or loop per write."""

        async def main() -> Any:
            async with make_sessionmaker(shared_engine(self.settings))() as s:
                result = await work(s)
                await s.commit()
                return result

        return background_loop().run(main())

    # objects made for one writing probe
    def fresh_posting(self, side: str) -> int:
        n = next(self.counter)

        async def work(s: Any) -> int:
            p = Posting(title=f"临时岗位{n}", employer_id=self.ids[f"employer_{side}"])
            s.add(p)
            await s.flush()
            return p.id

        return self.run(work)

    def fresh_application(self, side: str) -> int:
        posting_id = self.fresh_posting(side)

        async def work(s: Any) -> int:
            a = Application(
                graduate_id=self.ids[f"graduate_{side}"],
                posting_id=posting_id,
                history=[ApplicationEvent(from_status=None, to_status=ApplicationStatus.APPLIED)],
            )
            s.add(a)
            await s.flush()
            return a.id

        return self.run(work)

    def fresh_outcome(self, side: str) -> int:
        async def work(s: Any) -> int:
            event = await DestinationService(s).record(
                self.ids[f"graduate_{side}"],
                DestinationCreate(
                    occurred_on=dt.date(2026, 7, 1),
                    source=DestinationSource.SCHOOL_SURVEY,
                    category=DestinationCategory.LABOUR_CONTRACT,
                    employer_name="某公司",
                ),
            )
            return event.id

        return self.run(work)

    def fresh_employer(self, side: str) -> int:
        n = next(self.counter)

        async def work(s: Any) -> int:
            # own: in 天河区 (school A's city, department A's region); foreign: in 南宁
            e = Employer(name=f"待审核单位{n}", verified=False, region_code="440106" if side == "a" else "450100")
            s.add(e)
            await s.flush()
            return e.id

        return self.run(work)


async def _build(s: Any, w: World) -> None:
    s.add_all(
        [
            *places("440000", "440100", "440106", "450000", "450100"),
        ]
    )
    await s.flush()
    school_a = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    school_b = School(code="4145010001", name="南宁市第一职业技术学校", region_code="450100")
    employer_a = Employer(name=OWN["employer_a_name"], verified=True, region_code="440106")
    employer_b = Employer(name=SECRETS["employer_b_name"], verified=False)
    employer_c = Employer(name="南宁糖业股份有限公司", verified=True)
    s.add_all([school_a, school_b, employer_a, employer_b, employer_c])
    await s.flush()
    graduate_a = Graduate(
        name=OWN["graduate_a_name"], school_id=school_a.id, phone="13800138000", cohort=2026, skills=["数控车床"]
    )
    graduate_b = Graduate(
        name=SECRETS["graduate_b_name"],
        school_id=school_b.id,
        phone=SECRETS["graduate_b_phone"],
        id_number=SECRETS["graduate_b_id_number"],
        cohort=2026,
        skills=["仓储管理"],
    )
    posting_a = Posting(title=OWN["posting_a_title"], employer_id=employer_a.id, required_skills=["数控车床"])
    posting_b = Posting(title=SECRETS["posting_b_title"], employer_id=employer_b.id, required_skills=["仓储管理"])
    s.add_all([graduate_a, graduate_b, posting_a, posting_b])
    await s.flush()
    application_a = Application(
        graduate_id=graduate_a.id,
        posting_id=posting_a.id,
        history=[ApplicationEvent(from_status=None, to_status=ApplicationStatus.APPLIED)],
    )
    application_b = Application(
        graduate_id=graduate_b.id,
        posting_id=posting_b.id,
        cover_letter=SECRETS["application_b_letter"],
        history=[ApplicationEvent(from_status=None, to_status=ApplicationStatus.APPLIED)],
    )
    s.add_all([application_a, application_b])
    snapshots = {
        side: ReportSnapshot(
            scope=f"school:{school.code}",
            cohort=2026,
            period="initial",
            as_of=dt.date(2026, 9, 1),
            recorded_before=dt.datetime(2026, 9, 2, tzinfo=dt.UTC),
            job="matrix",
            data={"scope": f"school:{school.code}", "school": school.name},
        )
        for side, school in (("a", school_a), ("b", school_b))
    }
    s.add_all(snapshots.values())
    await s.flush()
    w.ids.update(
        {
            "school_a": school_a.id,
            "school_b": school_b.id,
            "school_code_a": school_a.code,
            "school_code_b": school_b.code,
            "employer_a": employer_a.id,
            "employer_b": employer_b.id,
            "employer_c": employer_c.id,
            "graduate_a": graduate_a.id,
            "graduate_b": graduate_b.id,
            "posting_a": posting_a.id,
            "posting_b": posting_b.id,
            "application_a": application_a.id,
            "application_b": application_b.id,
            "snapshot_a": snapshots["a"].id,
            "snapshot_b": snapshots["b"].id,
        }
    )


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """The module's world and live server on one backend (see the module docstring)."""
    yield from matrix_world(request, tmp_path_factory)


def matrix_world(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """Build the world and serve it on the backend ``request.param`` until the generator is closed
    (the ``world`` fixture of this module and of test_web_route_matrix.py)."""
    tmp = tmp_path_factory.mktemp(f"matrix_{request.param}")
    common = Settings(
        model_dir=str(tmp / "models"),
        warm_up=False,
        secret_key_file=str(tmp / "secret_key"),
        attachment_dir=str(tmp / "attachments"),
        cookie_secure=False,
        api_rate_per_minute=0,
    )
    if request.param == "sqlite":
        path = tmp / "matrix.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        settings = msgspec.structs.replace(common, database_url=f"sqlite+aiosqlite:///{path}")
    else:
        url = request.getfixturevalue("postgres_database")
        settings = msgspec.structs.replace(common, database_url=url)
    w = World(settings=settings)
    if request.param == "postgresql":
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        w.run(lambda s: s.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE")))
    w.run(lambda s: _build(s, w))
    scopes = {
        "graduate": {"graduate_id": w.ids["graduate_a"]},
        "employer": {"employer_id": w.ids["employer_a"]},
        "school": {"school_id": w.ids["school_a"]},
        "department": {"region_code": "440100"},
        "admin": {},
    }
    for role, scope in scopes.items():
        _, w.tokens[role] = create_account(settings, Role(role), **scope)
    try:
        with LiveServer(settings) as live:
            w.base_url = live.base_url
            yield w
    finally:
        dispose_engine(settings.database_url)  # before its SQLite file in tmp is left behind


# --- the matrix ----------------------------------------------------------------------------------

Status = int | tuple[int, int]
Maker = Callable[[World, str, str], Any]  # (world, side "a"/"b", role) → value


@dataclass(frozen=True)
class Probe:
    """One route's probes. ``path`` is formatted with ``{name}`` → ``targets[name](world, side, role)``
    (a string names a world id: ``"graduate"`` → ``ids["graduate_a"]`` / ``ids["graduate_b"]``).
    ``expect[role]`` is ``(own, foreign)`` or one status for both."""

    path: str
    expect: dict[str, Status]
    targets: dict[str, str | Maker] = field(default_factory=dict)
    json: Maker | None = None
    params: Maker | None = None
    files: Maker | None = None
    #: list routes: world secret/own keys each role must (``shows``) or must not (``hides``) see
    shows: dict[str, tuple[str, ...]] = field(default_factory=dict)
    hides: dict[str, tuple[str, ...]] = field(default_factory=dict)
    #: only probe the own side (routes without a foreign object)
    own_only: bool = False


def _fresh_self_report(w: World, side: str) -> int:
    """A new self-report of the side's graduate, awaiting the school's review."""

    async def work(s: Any) -> int:
        event = await DestinationService(s).record(
            w.ids[f"graduate_{side}"],
            DestinationCreate(
                occurred_on=dt.date(2026, 7, 3),
                source=DestinationSource.SELF_REPORT,
                category=DestinationCategory.FURTHER_STUDY,
            ),
        )
        return event.id

    return w.run(work)


def _same(status: int, roles: tuple[str, ...] = ROLES) -> dict[str, Status]:
    return {r: status for r in roles}


def _staff_and(admin: Status = (200, 200), **others: Status) -> dict[str, Status]:
    return {"anonymous": 401, **others, "admin": admin}


PUBLIC_200 = _same(200)
EVERY_SECRET = tuple(SECRETS)
GRAD_SECRETS = ("graduate_b_name", "graduate_b_phone", "graduate_b_id_number")


def _scope(w: World, side: str, role: str) -> str:
    if role == "department":
        return "region:440100" if side == "a" else "region:450100"
    if role == "admin" and side == "a":
        return "all"
    return f"school:{w.ids[f'school_code_{side}']}"


def _report_params(w: World, side: str, role: str) -> dict[str, str]:
    return {"scope": _scope(w, side, role), "as_of": AS_OF}


def _roster(w: World, side: str, role: str) -> dict[str, Any]:
    n = next(w.counter)
    csv = f"学号,姓名,毕业时间\nM{n:05d},名册学生{n},2026-06-30\n".encode()
    return {"data": ("roster.csv", csv, "text/csv")}


def _status_body(w: World, side: str, role: str) -> dict[str, str]:
    return {"status": "withdrawn" if role == "graduate" else "viewed"}


def _destination_body(w: World, side: str, role: str) -> dict[str, Any]:
    source = "self_report" if role == "graduate" else "school_survey"
    return {"occurred_on": "2026-07-01", "source": source, "category": "further_study"}


def _account_body(w: World, side: str, role: str) -> dict[str, Any]:
    n = next(w.counter)
    body: dict[str, Any] = {"email": f"new{n}@example.cn", "password": "a long enough password"}
    if role == "department":
        return {**body, "role": "school", "school_id": w.ids[f"school_{side}"]}
    if role == "employer":
        return {**body, "role": "employer", "employer_id": w.ids[f"employer_{side}"]}
    if role == "graduate":
        return {**body, "role": "graduate", "graduate_id": w.ids[f"graduate_{side}"]}
    return {**body, "role": "school", "school_id": w.ids[f"school_{side}"]}


# catalog majors (service/catalog): each probe works on a major of its own
def _fresh_major(w: World, side: str, role: str) -> str:
    """A new major 66019x (机械设计制造类) for one probe; returns its code."""
    from service.catalog.models import Major

    code = f"6601{50 + next(w.counter) % 50:02d}"

    async def work(s: Any) -> str:
        if await s.get(Major, code) is None:
            s.add(Major(code=code, name=f"增补专业{code}", category="装备制造大类", class_name="机械设计制造类"))
            await s.flush()
        return code

    return w.run(work)


# privacy routes (service/privacy): targets that set up the deletion-request state a probe needs
def _without_deletion_request(w: World, side: str, role: str) -> int:
    """graduate_{side}, with no pending deletion request (so asking is possible again)."""
    from sqlalchemy import delete

    from service.privacy.models import DeletionStatus, GraduateDeletion

    gid = w.ids[f"graduate_{side}"]
    w.run(
        lambda s: s.execute(
            delete(GraduateDeletion).where(
                GraduateDeletion.graduate_id == gid, GraduateDeletion.status == DeletionStatus.PENDING
            )
        )
    )
    return gid


def _with_deletion_request(w: World, side: str, role: str) -> int:
    """graduate_{side}, with a pending deletion request."""
    from sqlalchemy import select

    from service.privacy.models import GraduateDeletion

    gid = w.ids[f"graduate_{side}"]

    async def work(s: Any) -> int:
        if (await s.execute(select(GraduateDeletion.id).where(GraduateDeletion.graduate_id == gid))).first() is None:
            s.add(GraduateDeletion(graduate_id=gid))
        return gid

    return w.run(work)


def _fresh_graduate_asking_deletion(w: World, side: str, role: str) -> int:
    """A new graduate of school_{side} who asked for deletion (a probe may erase them)."""
    from service.privacy.models import GraduateDeletion

    n = next(w.counter)

    async def work(s: Any) -> int:
        g = Graduate(name=f"待删除学生{n}", school_id=w.ids[f"school_{side}"])
        s.add(g)
        await s.flush()
        s.add(GraduateDeletion(graduate_id=g.id))
        return g.id

    return w.run(work)


def _taxonomy_occupation(w: World, side: str, role: str) -> str:
    """An O*NET occupation code with one skill relation (stored once, reference data: no side)."""
    from sqlalchemy import select

    from service.taxonomy.models import Concept, ConceptKind, ConceptRelation

    async def work(s: Any) -> str:
        if (await s.execute(select(Concept.id).where(Concept.scheme == "onet", Concept.code == "47-2111.00"))).first():
            return "47-2111.00"
        occupation = Concept(
            scheme="onet", code="47-2111.00", kind=ConceptKind.OCCUPATION, label="Electricians", lang="en"
        )
        skill = Concept(scheme="onet", code="tech:AutoCAD", kind=ConceptKind.SKILL, label="AutoCAD", lang="en")
        s.add_all([occupation, skill])
        await s.flush()
        s.add(ConceptRelation(occupation_id=occupation.id, skill_id=skill.id, relation="hot_technology"))
        return occupation.code

    return w.run(work)


# notifications (service/notifications): each caller's own inbox; "foreign" is another user's
def _user_id(w: World, role: str) -> int:
    """The world's account for ``role`` (anonymous: the admin's, whose notification it cannot reach)."""
    import jwt

    return int(
        jwt.decode(w.tokens["admin" if role == "anonymous" else role], options={"verify_signature": False})["sub"]
    )


def _other_user(w: World) -> int:
    """An account that is none of the callers (created once)."""
    from service.accounts.models import User

    if "notify_other_user" not in w.ids:

        async def work(s: Any) -> int:
            user = User(role=Role.ADMIN, email="other-user@example.cn", password_hash="x")
            s.add(user)
            await s.flush()
            return user.id

        w.ids["notify_other_user"] = w.run(work)
    return w.ids["notify_other_user"]


def _notification(w: World, side: str, role: str) -> int:
    """A new notification of the caller (own side; title ``OWN["notification_a_title"]``) or of
    another user (foreign side; title ``SECRETS["notification_b_title"]``)."""
    from service.notifications.kinds import Kind
    from service.notifications.service import notify

    user_id = _user_id(w, role) if side == "a" else _other_user(w)
    title = OWN["notification_a_title"] if side == "a" else SECRETS["notification_b_title"]

    async def work(s: Any) -> int:
        result = await notify(
            s,
            recipients=[user_id],
            kind=Kind.POSTING_CLOSED,
            link="/web/applications",
            params={"posting_title": title, "employer_name": "某公司", "reason": "closed"},
        )
        return result.notification_ids[0]

    return w.run(work)


def _with_notifications(w: World, side: str, role: str) -> dict[str, str]:
    """No parameters; makes sure the caller has a notification and another user has one."""
    if role != "anonymous":
        _notification(w, "a", role)
    _notification(w, "b", role)
    return {}


def _failed_outbox(w: World, side: str, role: str) -> int:
    """A failed outbox message (of another user's notification)."""
    from sqlalchemy import select

    from service.notifications.models import OutboxMessage, OutboxStatus

    _notification(w, "b", role)

    async def work(s: Any) -> int:
        row = (await s.execute(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(1))).scalar_one()
        row.status, row.attempts, row.last_error = OutboxStatus.FAILED, 8, "gave up after 8 attempts"
        return row.id

    return w.run(work)


# interviews (service/interviews): each probe works on an interview of a fresh application
def _interview(w: World, side: str, accept: bool) -> int:
    """A new interview proposed (and maybe accepted) on a fresh application of side ``side``, two
    days ahead; its time's id is left in ``w.ids["interview_slot"]``."""
    from service.interviews.schemas import InterviewCreate, SlotCreate
    from service.interviews.service import InterviewService

    application_id = w.fresh_application(side)

    async def work(s: Any) -> int:
        service = InterviewService(s)
        interview = await service.propose(
            application_id,
            InterviewCreate(
                slots=[SlotCreate(starts_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=2))], place="某会议室"
            ),
        )
        if accept:
            await service.accept(interview.id, interview.slots[0].id)
        w.ids["interview_slot"] = interview.slots[0].id
        return interview.id

    return w.run(work)


# internships (service/internships): graduate_{side} placed at employer a (own) or b (foreign)
#: The smallest file a PDF reader opens (ISO 32000-1 §7.5.2 header … §7.5.5 end-of-file marker).
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def _internship(w: World, side: str, role: str = "", agreement: bool = False) -> int:
    """A new pending placement of graduate_{side} at employer_{side} (with a stored agreement PDF)."""
    from service.internships.models import Internship
    from service.internships.storage import store

    stored = store(w.settings.attachment_dir, PDF) if agreement else None

    async def work(s: Any) -> int:
        i = Internship(
            graduate_id=w.ids[f"graduate_{side}"],
            school_id=w.ids[f"school_{side}"],
            employer_id=w.ids[f"employer_{side}"],
            start_date=dt.date(2026, 3, 1),
            end_date=dt.date(2026, 6, 30),
            supervisor_name="指导教师",
            agreement_key=stored.key if stored else None,
            agreement_filename="a.pdf" if stored else None,
            agreement_size=stored.size if stored else None,
        )
        s.add(i)
        await s.flush()
        return i.id

    return w.run(work)


# conversations (service/resumes, service/conversations): objects made for one probe
def _fresh_candidate(w: World, side: str, role: str) -> int:
    """A new graduate of school_{side} (recommendable), to be invited by one probe."""
    n = next(w.counter)

    async def work(s: Any) -> int:
        g = Graduate(name=f"受邀学生{n}", school_id=w.ids[f"school_{side}"])
        s.add(g)
        await s.flush()
        return g.id

    return w.run(work)


def _fresh_interview(w: World, side: str, role: str) -> int:
    return _interview(w, side, accept=False)


def _accepted_interview(w: World, side: str, role: str) -> int:
    return _interview(w, side, accept=True)


def _proposal_body(w: World, side: str, role: str) -> dict[str, Any]:
    start = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    return {"slots": [{"starts_at": start}], "place": "某会议室"}


_INTERVIEW_READ: dict[str, Status] = _staff_and(
    graduate=(200, 404), employer=(200, 404), school=(200, 404), department=(200, 404)
)
_INTERVIEW_ANSWER: dict[str, Status] = _staff_and(
    admin=403, graduate=(200, 404), employer=403, school=403, department=403
)


def _graduate_with_attachment(w: World, side: str, role: str = "") -> int:
    """graduate_{side}, given a current résumé attachment (a stored PDF) when it has none."""
    from service.resumes.attachments import STORE, current
    from service.resumes.models import ResumeAttachment

    graduate_id = w.ids[f"graduate_{side}"]

    async def work(s: Any) -> None:
        if await current(s, graduate_id) is None:
            stored = STORE.store(w.settings.attachment_dir, PDF, ".pdf")
            s.add(
                ResumeAttachment(
                    graduate_id=graduate_id,
                    key=stored.key,
                    filename="cv.pdf",
                    media_type="application/pdf",
                    size=stored.size,
                    sha256=stored.sha256,
                )
            )

    w.run(work)
    return graduate_id


def _application_with_resume(w: World, side: str, role: str) -> int:
    """An application of graduate_{side} to posting_{side} carrying a résumé snapshot and an
    attachment (made once per side)."""
    from service.resumes.attachments import STORE
    from service.resumes.models import ApplicationResume, ResumeAttachment
    from service.resumes.resume import build_resume
    from service.resumes.service import load_profile

    key = f"application_with_resume_{side}"
    if key not in w.ids:
        application_id = w.fresh_application(side)

        async def work(s: Any) -> None:
            stored = STORE.store(w.settings.attachment_dir, PDF, ".pdf")
            row = ResumeAttachment(
                graduate_id=w.ids[f"graduate_{side}"],
                key=stored.key,
                filename="cv.pdf",
                media_type="application/pdf",
                size=stored.size,
                sha256=stored.sha256,
                current=False,
            )
            s.add(row)
            await s.flush()
            snapshot = build_resume(await load_profile(s, w.ids[f"graduate_{side}"]))
            s.add(ApplicationResume(application_id=application_id, snapshot=snapshot, attachment_id=row.id))

        w.run(work)
        w.ids[key] = application_id
    return w.ids[key]


_RESUME_READERS: dict[str, Status] = _staff_and(
    graduate=(200, 404), employer=403, school=(200, 404), department=(200, 404)
)
_APPLICANT_READERS: dict[str, Status] = _staff_and(
    graduate=(200, 404), employer=(200, 404), school=(200, 404), department=(200, 404)
)


def _internship_with_agreement(w: World, side: str, role: str) -> int:
    key = f"internship_agreement_{side}"
    if key not in w.ids:
        w.ids[key] = _internship(w, side, role, agreement=True)
    return w.ids[key]


def _with_internships(w: World, side: str, role: str) -> dict[str, str]:
    """No parameters; makes sure a placement exists on both sides."""
    _internship_with_agreement(w, "a", role)
    _internship_with_agreement(w, "b", role)
    return {}


def _internship_body(w: World, side: str, role: str) -> dict[str, Any]:
    return {
        "graduate_id": w.ids[f"graduate_{side}"],
        "employer_id": w.ids["employer_a"],
        "start_date": "2026-09-01",
        "end_date": "2027-06-30",
        "supervisor_name": "王老师",
    }


def _roster_upload(w: World, side: str, role: str) -> int:
    """A roster history entry of school_{side} that added graduate_{side} (made once per side)."""
    from service.rosters.models import RosterChange, RosterUpload, RosterUploadGraduate

    key = f"roster_upload_{side}"
    if key not in w.ids:

        async def work(s: Any) -> int:
            upload = RosterUpload(school_id=w.ids[f"school_{side}"], filename="roster.csv", rows_read=1, added=1)
            s.add(upload)
            await s.flush()
            s.add(
                RosterUploadGraduate(
                    upload_id=upload.id, graduate_id=w.ids[f"graduate_{side}"], change=RosterChange.ADDED, row=2
                )
            )
            return upload.id

        w.ids[key] = w.run(work)
    return w.ids[key]


def _fresh_invitation(w: World, side: str, role: str) -> int:
    """A pending invitation of graduate_{side} to a new posting of employer_{side}."""
    from service.conversations.models import Invitation

    posting_id = w.fresh_posting(side)

    async def work(s: Any) -> int:
        invitation = Invitation(posting_id=posting_id, graduate_id=w.ids[f"graduate_{side}"])
        s.add(invitation)
        await s.flush()
        return invitation.id

    return w.run(work)


# saved jobs and job alerts (service/alerts): the graduate's own, under /me
def _job_alert(w: World, side: str, role: str) -> int:
    """A job alert of graduate_{side}: a fresh one for the graduate's probes (which change or delete
    it), one standing alert per side for the other roles (refused before reading it)."""
    from service.alerts.models import JobAlert

    key = f"job_alert_{side}"
    if role != "graduate" and key in w.ids:
        return w.ids[key]

    async def work(s: Any) -> int:
        alert = JobAlert(graduate_id=w.ids[f"graduate_{side}"], name=f"搜索{next(w.counter)}", filters={"q": "数控"})
        s.add(alert)
        await s.flush()
        return alert.id

    alert_id = w.run(work)
    if role != "graduate":
        w.ids[key] = alert_id
    return alert_id


_GRADUATE_ONLY: dict[str, Status] = {**{r: 403 for r in ROLES[1:]}, "anonymous": 401}
_EVERY_USER_200: dict[str, Status] = {**{r: 200 for r in ROLES[1:]}, "anonymous": 401}
_EVERY_USER_OWN: dict[str, Status] = {**{r: (200, 404) for r in ROLES[1:]}, "anonymous": 401}


MATRIX: dict[str, Probe] = {
    # --- public --------------------------------------------------------------------------------
    "GET /health": Probe("/health", PUBLIC_200, own_only=True),
    "GET /docs": Probe("/docs", PUBLIC_200, own_only=True),
    "GET /docs/openapi.json": Probe("/docs/openapi.json", PUBLIC_200, own_only=True),
    "GET /docs/swagger": Probe("/docs/swagger", PUBLIC_200, own_only=True),
    "GET /docs/oauth2-redirect.html": Probe("/docs/oauth2-redirect.html", PUBLIC_200, own_only=True),
    # only the swagger renderer is configured: any other name is 404 — for everyone, never 401
    "GET /docs/{path:str}": Probe("/docs/redoc", _same(404), own_only=True),
    "GET /docs-assets/{file_path:path}": Probe("/docs-assets/swagger-ui.css", PUBLIC_200, own_only=True),
    "GET /regions": Probe("/regions", PUBLIC_200, own_only=True),
    "GET /majors": Probe("/majors", PUBLIC_200, own_only=True),
    "GET /schools": Probe("/schools", PUBLIC_200, own_only=True),
    "GET /schools/{school_id:int}": Probe("/schools/{s}", PUBLIC_200, {"s": "school"}),
    # --- accounts: public entry points answer on their own terms (400 for an empty body) ---------
    "POST /auth/register": Probe("/auth/register", _same(400), json=lambda w, s, r: {}, own_only=True),
    "POST /auth/login": Probe("/auth/login", _same(400), json=lambda w, s, r: {}, own_only=True),
    "POST /auth/refresh": Probe("/auth/refresh", _same(400), json=lambda w, s, r: {}, own_only=True),
    "POST /auth/logout": Probe("/auth/logout", _same(400), json=lambda w, s, r: {}, own_only=True),
    "POST /auth/session": Probe("/auth/session", _same(400), json=lambda w, s, r: {}, own_only=True),
    "POST /auth/session/refresh": Probe("/auth/session/refresh", _same(401), own_only=True),
    "DELETE /auth/session": Probe("/auth/session", _same(204), own_only=True),
    "GET /auth/me": Probe("/auth/me", {**_same(200), "anonymous": 401}, own_only=True),
    "POST /auth/users": Probe(
        "/auth/users",
        {
            # foreign: a public school / region is 403 (seen, not usable); an unverified employer 422 (not seen)
            # 202 whether or not the login name was free (issue 14: no membership oracle)
            "anonymous": 401,
            "graduate": 403,
            "employer": (202, 422),
            "school": (202, 403),
            "department": (202, 403),
            "admin": (202, 202),
        },
        json=_account_body,
    ),
    "POST /employers/{employer_id:int}/verify": Probe(
        "/employers/{e}/verify",
        _staff_and(graduate=403, employer=403, school=(200, 403), department=(200, 403)),
        {"e": lambda w, s, r: w.fresh_employer(s)},
    ),
    "POST /employers/{employer_id:int}/refuse": Probe(
        "/employers/{e}/refuse",
        _staff_and(graduate=403, employer=403, school=(200, 403), department=(200, 403)),
        {"e": lambda w, s, r: w.fresh_employer(s)},
        json=lambda w, s, r: {"reason": "资料不全"},
    ),
    # the queue: employers the caller may approve (school A: its city; the department: its region)
    "GET /employers/verification-queue": Probe(
        "/employers/verification-queue",
        {"anonymous": 401, "graduate": 403, "employer": 403, "school": 200, "department": 200, "admin": 200},
        own_only=True,
        hides={"school": ("employer_b_name",)},
    ),
    # --- sign-up: roster activation (public; an empty body is 400) and invitations ------------------
    "POST /auth/activate": Probe("/auth/activate", _same(400), json=lambda w, s, r: {}, own_only=True),
    "POST /schools/{school_id:int}/invitations": Probe(
        "/schools/{s}/invitations",
        _staff_and(admin=(201, 201), graduate=403, employer=403, school=(201, 403), department=403),
        {"s": "school"},
        json=lambda w, s, r: {"days": 7},
    ),
    "GET /schools/{school_id:int}/activation": Probe(
        "/schools/{s}/activation",
        _staff_and(graduate=403, employer=403, school=(200, 404), department=(200, 404)),
        {"s": "school"},
    ),
    # --- catalog ---------------------------------------------------------------------------------
    "POST /schools": Probe(
        "/schools",
        _staff_and(admin=(201, 201), graduate=403, employer=403, school=403, department=(201, 403)),
        json=lambda w, s, r: {
            "code": f"41{next(w.counter):08d}",
            "name": "新学校",
            "region_code": "440106" if s == "a" else "450100",
        },
    ),
    "POST /majors": Probe(
        "/majors",
        _staff_and(admin=201, graduate=403, employer=403, school=403, department=201),
        json=lambda w, s, r: {"code": f"6601{next(w.counter) % 50:02d}", "name": "增补专业"},
        own_only=True,
    ),
    "PATCH /majors/{code:str}": Probe(
        "/majors/{m}",
        _staff_and(admin=200, graduate=403, employer=403, school=403, department=200),
        {"m": _fresh_major},
        json=lambda w, s, r: {"name": "更名专业", "retired_on": "2030-08-31"},
        own_only=True,
    ),
    # --- employers -------------------------------------------------------------------------------
    "GET /employers": Probe(
        "/employers",
        {**_same(200), "anonymous": 401},
        own_only=True,
        shows={r: ("employer_a_name",) for r in ROLES[1:]},
        hides={"graduate": ("employer_b_name",), "employer": ("employer_b_name",)},
    ),
    "POST /employers": Probe(
        "/employers",
        _staff_and(admin=(201, 201), graduate=403, employer=403, school=(201, 201), department=(201, 201)),
        json=lambda w, s, r: {"name": f"代录单位{next(w.counter)}"},
    ),
    "GET /employers/{employer_id:int}": Probe(
        "/employers/{e}",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=(200, 200), department=(200, 200)),
        {"e": "employer"},
    ),
    "PATCH /employers/{employer_id:int}": Probe(
        "/employers/{e}",
        _staff_and(graduate=403, employer=(200, 404), school=403, department=403),
        {"e": "employer"},
        json=lambda w, s, r: {"address": "广州市天河区"},
    ),
    # --- postings --------------------------------------------------------------------------------
    "GET /postings": Probe(
        "/postings",
        {**_same(200), "anonymous": 401},
        own_only=True,
        shows={r: ("posting_a_title",) for r in ROLES[1:]},
        hides={"graduate": ("posting_b_title",), "employer": ("posting_b_title",)},
    ),
    "POST /postings": Probe(
        "/postings",
        _staff_and(admin=(201, 201), graduate=403, employer=(201, 403), school=403, department=403),
        json=lambda w, s, r: {"title": "新岗位", "employer_id": w.ids[f"employer_{s}"]},
    ),
    "GET /postings/{posting_id:int}": Probe(
        "/postings/{p}",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=(200, 200), department=(200, 200)),
        {"p": "posting"},
    ),
    "PATCH /postings/{posting_id:int}": Probe(
        "/postings/{p}",
        _staff_and(graduate=403, employer=(200, 404), school=403, department=403),
        {"p": "posting"},
        json=lambda w, s, r: {"description": "更新的描述"},
    ),
    "GET /postings/{posting_id:int}/candidates": Probe(
        "/postings/{p}/candidates",
        _staff_and(graduate=403, employer=(200, 404), school=403, department=403),
        {"p": "posting"},
    ),
    # --- graduates -------------------------------------------------------------------------------
    "GET /graduates": Probe(
        "/graduates",
        {**_same(200), "anonymous": 401},
        own_only=True,
        shows={r: ("graduate_a_name",) for r in ROLES[1:]},
        hides={r: GRAD_SECRETS for r in ROLES[1:5]},
    ),
    "POST /graduates": Probe(
        "/graduates",
        _staff_and(admin=(201, 201), graduate=403, employer=403, school=(201, 403), department=403),
        json=lambda w, s, r: {"name": "新生", "school_id": w.ids[f"school_{s}"]},
    ),
    "GET /graduates/{graduate_id:int}": Probe(
        "/graduates/{g}",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=(200, 404), department=(200, 404)),
        {"g": "graduate"},
    ),
    "PATCH /graduates/{graduate_id:int}": Probe(
        "/graduates/{g}",
        _staff_and(graduate=(200, 404), employer=403, school=(200, 404), department=403),
        {"g": "graduate"},
        json=lambda w, s, r: {"summary": "更新的自我介绍"},
    ),
    "GET /graduates/{graduate_id:int}/recommendations": Probe(
        "/graduates/{g}/recommendations",
        _staff_and(graduate=(200, 404), employer=403, school=(200, 404), department=(200, 404)),
        {"g": "graduate"},
    ),
    # --- applications ----------------------------------------------------------------------------
    "GET /applications": Probe(
        "/applications",
        {**_same(200), "anonymous": 401},
        own_only=True,
        hides={r: ("application_b_letter",) for r in ROLES[1:5]},
    ),
    "POST /applications": Probe(
        "/applications",
        _staff_and(admin=(201, 201), graduate=(201, 403), employer=403, school=403, department=403),
        json=lambda w, s, r: {"graduate_id": w.ids[f"graduate_{s}"], "posting_id": w.fresh_posting(s)},
    ),
    "GET /applications/{application_id:int}": Probe(
        "/applications/{a}",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=(200, 404), department=(200, 404)),
        {"a": "application"},
    ),
    "POST /applications/{application_id:int}/status": Probe(
        "/applications/{a}/status",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=403, department=403),
        {"a": lambda w, s, r: w.fresh_application(s)},
        json=_status_body,
    ),
    # --- interviews: read with the application; proposed by its employer; answered by the applicant
    "POST /applications/{application_id:int}/interviews": Probe(
        "/applications/{a}/interviews",
        _staff_and(admin=(201, 201), graduate=403, employer=(201, 404), school=403, department=403),
        {"a": lambda w, s, r: w.fresh_application(s)},
        json=_proposal_body,
    ),
    "GET /applications/{application_id:int}/interviews": Probe(
        "/applications/{a}/interviews", _INTERVIEW_READ, {"a": "application"}
    ),
    "GET /interviews/{interview_id:int}": Probe("/interviews/{i}", _INTERVIEW_READ, {"i": _fresh_interview}),
    "GET /interviews/{interview_id:int}/calendar.ics": Probe(
        "/interviews/{i}/calendar.ics", _INTERVIEW_READ, {"i": _accepted_interview}
    ),
    "POST /interviews/{interview_id:int}/accept": Probe(
        "/interviews/{i}/accept",
        _INTERVIEW_ANSWER,
        {"i": _fresh_interview},
        json=lambda w, s, r: {"slot_id": w.ids["interview_slot"]},
    ),
    "POST /interviews/{interview_id:int}/decline": Probe(
        "/interviews/{i}/decline", _INTERVIEW_ANSWER, {"i": _fresh_interview}, json=lambda w, s, r: {}
    ),
    "POST /interviews/{interview_id:int}/cancel": Probe(
        "/interviews/{i}/cancel",
        _staff_and(graduate=403, employer=(200, 404), school=403, department=403),
        {"i": _fresh_interview},
        json=lambda w, s, r: {"reason": "岗位已招满"},
    ),
    "POST /interviews/{interview_id:int}/reschedule": Probe(
        "/interviews/{i}/reschedule",
        _INTERVIEW_ANSWER,
        {"i": _fresh_interview},
        json=lambda w, s, r: {"message": "周四下午可以"},
    ),
    # --- destinations ----------------------------------------------------------------------------
    "GET /graduates/{graduate_id:int}/destinations": Probe(
        "/graduates/{g}/destinations",
        _staff_and(graduate=(200, 404), employer=403, school=(200, 404), department=(200, 404)),
        {"g": "graduate"},
    ),
    "POST /graduates/{graduate_id:int}/destinations": Probe(
        "/graduates/{g}/destinations",
        _staff_and(admin=(201, 201), graduate=(201, 404), employer=403, school=(201, 404), department=403),
        {"g": "graduate"},
        json=_destination_body,
    ),
    "POST /graduates/{graduate_id:int}/destinations/{event_id:int}/in-field-override": Probe(
        "/graduates/{g}/destinations/{e}/in-field-override",
        _staff_and(admin=(201, 201), graduate=403, employer=403, school=(201, 404), department=403),
        {"g": "graduate", "e": lambda w, s, r: w.fresh_outcome(s)},
        json=lambda w, s, r: {"in_field": True, "reason": "岗位与专业对口"},
    ),
    "POST /graduates/{graduate_id:int}/destinations/{event_id:int}/confirmation": Probe(
        "/graduates/{g}/destinations/{e}/confirmation",
        _staff_and(admin=(201, 201), graduate=(201, 404), employer=403, school=403, department=403),
        {"g": "graduate", "e": lambda w, s, r: w.fresh_outcome(s)},
        json=lambda w, s, r: {},
    ),
    "POST /graduates/{graduate_id:int}/destinations/{event_id:int}/dispute": Probe(
        "/graduates/{g}/destinations/{e}/dispute",
        _staff_and(admin=(201, 201), graduate=(201, 404), employer=403, school=403, department=403),
        {"g": "graduate", "e": lambda w, s, r: w.fresh_outcome(s)},
        json=lambda w, s, r: {"reason": "信息有误"},
    ),
    "POST /graduates/{graduate_id:int}/destinations/{event_id:int}/review": Probe(
        "/graduates/{g}/destinations/{e}/review",
        _staff_and(admin=(201, 201), graduate=403, employer=403, school=(201, 404), department=403),
        {"g": "graduate", "e": lambda w, s, r: _fresh_self_report(w, s)},
        json=lambda w, s, r: {"decision": "refuse", "reason": "未见佐证材料"},
    ),
    # the follow-up list: own school's (region's) graduates, phone numbers for school staff only
    "GET /follow-up": Probe(
        "/follow-up",
        _staff_and(graduate=403, employer=403, school=200, department=200, admin=200),
        params=lambda w, s, r: {"cohort": 2026},
        own_only=True,
        shows={r: ("graduate_a_name",) for r in ("school", "department", "admin")},
        hides={"school": GRAD_SECRETS, "department": GRAD_SECRETS},
    ),
    # --- reports and rosters ---------------------------------------------------------------------
    "GET /reports": Probe(
        "/reports",
        _staff_and(graduate=403, employer=403, school=(200, 403), department=(200, 403)),
        params=_report_params,
    ),
    "GET /reports/chart": Probe(
        "/reports/chart",
        _staff_and(graduate=403, employer=403, school=(200, 403), department=(200, 403)),
        params=_report_params,
    ),
    # the dashboards' API (issue 17): the same scopes as GET /reports
    "GET /reports/trend": Probe(
        "/reports/trend",
        _staff_and(graduate=403, employer=403, school=(200, 403), department=(200, 403)),
        params=_report_params,
    ),
    "GET /reports/data-quality": Probe(
        "/reports/data-quality",
        _staff_and(graduate=403, employer=403, school=(200, 403), department=(200, 403)),
        params=_report_params,
    ),
    "GET /reports/annual": Probe(
        "/reports/annual",
        _staff_and(graduate=403, employer=403, school=(200, 403), department=(200, 403)),
        params=_report_params,
    ),
    "GET /reports/trace": Probe(
        "/reports/trace",
        _staff_and(graduate=403, employer=403, school=(200, 403), department=(200, 403)),
        params=lambda w, s, r: {
            **_report_params(w, s, r),
            "row": "total",
            "column": "employed",
            "recorded_before": CUTOFF,
        },
    ),
    "GET /reports/snapshots": Probe(
        "/reports/snapshots",
        _staff_and(graduate=403, employer=403, school=200, department=200, admin=200),
        own_only=True,
    ),
    "GET /reports/snapshots/{snapshot_id:int}": Probe(
        "/reports/snapshots/{n}",
        _staff_and(graduate=403, employer=403, school=(200, 404), department=(200, 404)),
        {"n": "snapshot"},
    ),
    "POST /schools/{school_code:str}/rosters": Probe(
        "/schools/{c}/rosters",
        _staff_and(admin=(201, 201), graduate=403, employer=403, school=(201, 403), department=403),
        {"c": "school_code"},
        files=_roster,
    ),
    # --- privacy: audit log, export, deletion ------------------------------------------------------
    "GET /audit": Probe(
        "/audit", _staff_and(graduate=403, employer=403, school=200, department=200, admin=200), own_only=True
    ),
    "GET /graduates/{graduate_id:int}/export": Probe(
        "/graduates/{g}/export",
        _staff_and(graduate=(200, 404), employer=(403, 404), school=(403, 404), department=(403, 404)),
        {"g": "graduate"},
    ),
    "POST /graduates/{graduate_id:int}/deletion-request": Probe(
        "/graduates/{g}/deletion-request",
        {"anonymous": 401, "graduate": (201, 404), "employer": 403, "school": 403, "department": 403, "admin": 403},
        {"g": _without_deletion_request},
        json=lambda w, s, r: {"password": TEST_PASSWORD},
    ),
    "GET /graduates/{graduate_id:int}/deletion-request": Probe(
        "/graduates/{g}/deletion-request",
        _staff_and(graduate=(200, 404), employer=403, school=(200, 404), department=(200, 404)),
        {"g": _with_deletion_request},
    ),
    "DELETE /graduates/{graduate_id:int}": Probe(
        "/graduates/{g}",
        _staff_and(graduate=403, employer=403, school=(200, 404), department=403),
        {"g": _fresh_graduate_asking_deletion},
    ),
    # --- taxonomy: reference data, but for signed-in users only ------------------------------------
    "GET /taxonomy/occupations/{scheme:str}/{code:path}": Probe(
        "/taxonomy/occupations/onet/{c}", {**_same(200), "anonymous": 401}, {"c": _taxonomy_occupation}, own_only=True
    ),
    # --- notifications: every caller has their own inbox and preferences; the outbox is the admin's
    "GET /notifications": Probe(
        "/notifications",
        _EVERY_USER_200,
        own_only=True,
        params=_with_notifications,
        shows={r: ("notification_a_title",) for r in ROLES[1:]},
        hides={r: ("notification_b_title",) for r in ROLES[1:]},
    ),
    "GET /notifications/unread-count": Probe("/notifications/unread-count", _EVERY_USER_200, own_only=True),
    "POST /notifications/{notification_id:int}/read": Probe(
        "/notifications/{n}/read", _EVERY_USER_OWN, {"n": _notification}
    ),
    "POST /notifications/read-all": Probe("/notifications/read-all", _EVERY_USER_200, own_only=True),
    "GET /notifications/preferences": Probe("/notifications/preferences", _EVERY_USER_200, own_only=True),
    "PATCH /notifications/preferences": Probe(
        "/notifications/preferences", _EVERY_USER_200, own_only=True, json=lambda w, s, r: {"language": "zh_Hans"}
    ),
    "GET /notifications/outbox": Probe(
        "/notifications/outbox",
        _staff_and(admin=200, graduate=403, employer=403, school=403, department=403),
        own_only=True,
    ),
    # --- internships: the school records, the employer confirms, readers as internships_clause ---------
    "POST /internships": Probe(
        "/internships",
        _staff_and(admin=(201, 201), graduate=403, employer=403, school=(201, 404), department=403),
        json=_internship_body,
    ),
    "GET /internships": Probe(
        "/internships",
        _EVERY_USER_200,
        own_only=True,
        params=_with_internships,
        shows={r: ("graduate_a_name",) for r in ("employer", "school", "department", "admin")},
        hides={r: GRAD_SECRETS for r in ("graduate", "employer", "school", "department")},
    ),
    "GET /internships/counts": Probe(
        "/internships/counts",
        _staff_and(admin=200, graduate=403, employer=403, school=200, department=200),
        own_only=True,
        params=lambda w, s, r: {**_with_internships(w, s, r), "cohort": 2026},
        hides={r: ("employer_b_name",) for r in ("school", "department")},
    ),
    "GET /internships/{internship_id:int}": Probe(
        "/internships/{i}",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=(200, 404), department=(200, 404)),
        {"i": _internship},
    ),
    "POST /internships/{internship_id:int}/confirm": Probe(
        "/internships/{i}/confirm",
        _staff_and(graduate=403, employer=(200, 404), school=403, department=403),
        {"i": _internship},
    ),
    "POST /internships/{internship_id:int}/agreement": Probe(
        "/internships/{i}/agreement",
        _staff_and(graduate=403, employer=403, school=(200, 404), department=403),
        {"i": _internship},
        files=lambda w, s, r: {"data": ("agreement.pdf", PDF, "application/pdf")},
    ),
    "GET /internships/{internship_id:int}/agreement": Probe(
        "/internships/{i}/agreement",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=(200, 404), department=(200, 404)),
        {"i": _internship_with_agreement},
    ),
    # --- roster template and history ---------------------------------------------------------------
    "GET /rosters/template": Probe(
        "/rosters/template",
        _staff_and(admin=200, graduate=403, employer=403, school=200, department=200),
        own_only=True,
    ),
    "GET /schools/{school_code:str}/rosters/uploads": Probe(
        "/schools/{c}/rosters/uploads",
        _staff_and(graduate=403, employer=403, school=(200, 404), department=(200, 404)),
        {"c": lambda w, s, r: (_roster_upload(w, s, r), w.ids[f"school_code_{s}"])[1]},
    ),
    "GET /schools/{school_code:str}/rosters/uploads/{upload_id:int}": Probe(
        "/schools/{c}/rosters/uploads/{u}",
        _staff_and(graduate=403, employer=403, school=(200, 404), department=(200, 404)),
        {"c": "school_code", "u": _roster_upload},
    ),
    "POST /notifications/outbox/{outbox_id:int}/retry": Probe(
        "/notifications/outbox/{o}/retry",
        _staff_and(admin=200, graduate=403, employer=403, school=403, department=403),
        {"o": _failed_outbox},
        own_only=True,
    ),
    # --- conversations: résumé snapshot and consent, threads, invitations (service/resumes, conversations)
    "GET /applications/{application_id:int}/applicant": Probe(
        "/applications/{a}/applicant",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=(200, 404), department=(200, 404)),
        {"a": "application"},
    ),
    "PUT /applications/{application_id:int}/contact-consent": Probe(
        "/applications/{a}/contact-consent",
        {"anonymous": 401, "graduate": (200, 404), "employer": 403, "school": 403, "department": 403, "admin": 403},
        {"a": "application"},
        json=lambda w, s, r: {"contact_consent": False},
    ),
    "GET /graduates/{graduate_id:int}/resume": Probe(
        "/graduates/{g}/resume",
        _staff_and(graduate=(200, 404), employer=403, school=(200, 404), department=(200, 404)),
        {"g": "graduate"},
    ),
    # résumé PDF and attachment (service/resumes/pdf.py, attachments.py)
    "GET /graduates/{graduate_id:int}/resume.pdf": Probe(
        "/graduates/{g}/resume.pdf", _RESUME_READERS, {"g": "graduate"}
    ),
    "GET /applications/{application_id:int}/applicant/resume.pdf": Probe(
        "/applications/{a}/applicant/resume.pdf", _APPLICANT_READERS, {"a": _application_with_resume}
    ),
    "GET /applications/{application_id:int}/applicant/attachment": Probe(
        "/applications/{a}/applicant/attachment", _APPLICANT_READERS, {"a": _application_with_resume}
    ),
    "GET /graduates/{graduate_id:int}/resume/attachment": Probe(
        "/graduates/{g}/resume/attachment", _RESUME_READERS, {"g": _graduate_with_attachment}
    ),
    "POST /graduates/{graduate_id:int}/resume/attachment": Probe(
        "/graduates/{g}/resume/attachment",
        _staff_and(admin=403, graduate=(200, 404), employer=403, school=403, department=403),
        {"g": "graduate"},
        files=lambda w, s, r: {"data": ("cv.pdf", PDF, "application/pdf")},
    ),
    "DELETE /graduates/{graduate_id:int}/resume/attachment": Probe(
        "/graduates/{g}/resume/attachment",
        _staff_and(admin=403, graduate=(204, 404), employer=403, school=403, department=403),
        {"g": _graduate_with_attachment},
    ),
    "GET /applications/{application_id:int}/messages": Probe(
        "/applications/{a}/messages",
        _staff_and(graduate=(200, 404), employer=(200, 404), school=(403, 404), department=(403, 404)),
        {"a": "application"},
    ),
    "POST /applications/{application_id:int}/messages": Probe(
        "/applications/{a}/messages",
        _staff_and(admin=403, graduate=(201, 404), employer=(201, 404), school=403, department=403),
        {"a": "application"},
        json=lambda w, s, r: {"body": "你好，想了解一下岗位"},
    ),
    "POST /postings/{posting_id:int}/invitations": Probe(
        "/postings/{p}/invitations",
        _staff_and(admin=(201, 201), graduate=403, employer=(201, 404), school=403, department=403),
        {"p": "posting"},
        json=lambda w, s, r: {"graduate_id": _fresh_candidate(w, s, r)},
    ),
    "GET /postings/{posting_id:int}/invitations": Probe(
        "/postings/{p}/invitations",
        _staff_and(graduate=403, employer=(200, 404), school=403, department=403),
        {"p": "posting"},
    ),
    "GET /invitations": Probe(
        "/invitations", _staff_and(admin=200, graduate=200, employer=200, school=403, department=403), own_only=True
    ),
    "POST /invitations/{invitation_id:int}/accept": Probe(
        "/invitations/{i}/accept",
        _staff_and(admin=403, graduate=(201, 404), employer=403, school=403, department=403),
        {"i": _fresh_invitation},
        json=lambda w, s, r: {},
    ),
    # --- saved jobs and job alerts: graduates only, their own; a posting they may not see is a 404
    "GET /me/saved-jobs": Probe(
        "/me/saved-jobs",
        {**_GRADUATE_ONLY, "graduate": 200},
        own_only=True,
        hides={"graduate": ("posting_b_title", "employer_b_name")},
    ),
    "PUT /me/saved-jobs/{posting_id:int}": Probe(
        "/me/saved-jobs/{p}", {**_GRADUATE_ONLY, "graduate": (200, 404)}, {"p": "posting"}
    ),
    "DELETE /me/saved-jobs/{posting_id:int}": Probe(
        "/me/saved-jobs/{p}", {**_GRADUATE_ONLY, "graduate": 204}, {"p": "posting"}
    ),
    "GET /me/job-alerts": Probe("/me/job-alerts", {**_GRADUATE_ONLY, "graduate": 200}, own_only=True),
    "POST /me/job-alerts": Probe(
        "/me/job-alerts",
        {**_GRADUATE_ONLY, "graduate": 201},
        own_only=True,
        json=lambda w, s, r: {"name": "数控", "filters": {"q": "数控"}},
    ),
    "GET /me/job-alerts/{alert_id:int}": Probe(
        "/me/job-alerts/{j}", {**_GRADUATE_ONLY, "graduate": (200, 404)}, {"j": _job_alert}
    ),
    "PATCH /me/job-alerts/{alert_id:int}": Probe(
        "/me/job-alerts/{j}",
        {**_GRADUATE_ONLY, "graduate": (200, 404)},
        {"j": _job_alert},
        json=lambda w, s, r: {"active": False},
    ),
    "DELETE /me/job-alerts/{alert_id:int}": Probe(
        "/me/job-alerts/{j}", {**_GRADUATE_ONLY, "graduate": (204, 404)}, {"j": _job_alert}
    ),
    "POST /invitations/{invitation_id:int}/decline": Probe(
        "/invitations/{i}/decline",
        _staff_and(admin=403, graduate=(200, 404), employer=403, school=403, department=403),
        {"i": _fresh_invitation},
    ),
}


def _app_routes() -> set[str]:
    settings = Settings(database_url="sqlite+aiosqlite:///:memory:", secret_key="x" * 40, warm_up=False)
    app = create_app(settings)
    return {
        f"{method} {route.path}"
        for route in app.routes
        for method in getattr(route, "methods", ())
        if method not in ("HEAD", "OPTIONS")
    }


def test_every_route_has_a_matrix_entry() -> None:
    """A route without a matrix entry fails here (and an entry for a route that is gone). The web
    pages' entries are :data:`tests.accounts.test_web_route_matrix.WEB_MATRIX`."""
    from tests.accounts.test_web_route_matrix import WEB_MATRIX  # it imports this module: not at the top

    routes = _app_routes()
    assert not MATRIX.keys() & WEB_MATRIX.keys(), "routes in both MATRIX and WEB_MATRIX"
    entries = MATRIX.keys() | WEB_MATRIX.keys()
    missing = sorted(routes - entries)
    stale = sorted(entries - routes)
    assert not missing, (
        "routes without an entry in tests/accounts/test_route_matrix.py MATRIX (or, for pages, "
        "test_web_route_matrix.py WEB_MATRIX):\n" + "\n".join(missing)
    )
    assert not stale, "MATRIX/WEB_MATRIX entries for routes the app no longer has:\n" + "\n".join(stale)


def _call(w: World, key: str, probe: Probe, role: str, side: str) -> httpx.Response:
    method = key.split(" ", 1)[0]
    values = {}
    for name, target in probe.targets.items():
        values[name] = target(w, side, role) if callable(target) else w.ids[f"{target}_{side}"]
    headers = {} if role == "anonymous" else {"Authorization": f"Bearer {w.tokens[role]}"}
    kwargs: dict[str, Any] = {"headers": headers}
    if probe.json is not None:
        kwargs["json"] = probe.json(w, side, role)
    if probe.params is not None:
        kwargs["params"] = probe.params(w, side, role)
    if probe.files is not None:
        kwargs["files"] = probe.files(w, side, role)
    with http_client(base_url=w.base_url, timeout=60) as c:
        return c.request(method, probe.path.format(**values), **kwargs)


def _expected(probe: Probe, role: str, side: str) -> int:
    status = probe.expect[role]
    return status if isinstance(status, int) else status[0 if side == "a" else 1]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", sorted(MATRIX))
def test_route_matrix(world: World, key: str, role: str) -> None:
    probe = MATRIX[key]
    for side in ("a",) if probe.own_only else ("a", "b"):
        response = _call(world, key, probe, role, side)
        expected = _expected(probe, role, side)
        where = f"{key} as {role} on the {'own' if side == 'a' else 'foreign'} object"
        assert response.status_code == expected, f"{where}: {response.status_code} {response.text[:500]}"
        if expected in (401, 403, 404, 422):
            leaked = [k for k in EVERY_SECRET if SECRETS[k] in response.text]
            assert not leaked, f"{where}: refused, but the body carries {leaked}"
    body = response.text
    for k in probe.shows.get(role, ()):
        assert (OWN.get(k) or SECRETS[k]) in body, f"{key} as {role}: {k} should be listed"
    for k in probe.hides.get(role, ()):
        assert SECRETS[k] not in body, f"{key} as {role}: {k} leaked into the list"
