"""The small reads the web pages use (issue 19: the pages query only through the domains), each in
the caller's scope where it takes one, on both backends: applications per posting and the postings a
graduate applied to (applications), the postings a caller may read among some ids and the places of
the open postings (postings), the invitations sent for a posting (conversations)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.applications.models import Application, ApplicationStatus
from service.applications.repository import ApplicationRepository
from service.auth.guards import Principal
from service.auth.scoping import applications_clause, postings_clause
from service.catalog.models import School
from service.conversations.models import Invitation, InvitationStatus
from service.conversations.repository import ConversationRepository
from service.conversations.service import invitations_clause
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from service.postings.repository import PostingRepository
from service.postings.search import open_region_codes
from tests.factories import guangdong_regions


async def _world(session: AsyncSession) -> dict[str, int]:
    session.add_all(guangdong_regions(guangxi=True))
    await session.flush()
    school = School(code="4144010001", name="广州市机电技师学校", region_code="440106")
    verified = Employer(name="广州数控设备有限公司", verified=True, region_code="440106")
    other = Employer(name="南宁物流有限公司", verified=True, region_code="450100")
    unchecked = Employer(name="未审核贸易有限公司", verified=False, region_code="440106")
    session.add_all([school, verified, other, unchecked])
    await session.flush()
    a, b = (Graduate(name=n, school_id=school.id, cohort=2025) for n in ("陈小明", "黄丽"))
    mine = Posting(title="数控车床操作工", employer_id=verified.id, region_code="440106")
    mine2 = Posting(title="电工", employer_id=verified.id, region_code="440100")
    theirs = Posting(title="仓库管理员", employer_id=other.id, region_code="450100")
    hidden = Posting(title="推销员", employer_id=unchecked.id, region_code="440000")
    session.add_all([a, b, mine, mine2, theirs, hidden])
    await session.flush()
    session.add_all(
        [
            Application(graduate_id=a.id, posting_id=mine.id),
            Application(graduate_id=b.id, posting_id=mine.id, status=ApplicationStatus.WITHDRAWN),
            Application(graduate_id=a.id, posting_id=theirs.id),
            Invitation(posting_id=mine.id, graduate_id=b.id),
            Invitation(posting_id=theirs.id, graduate_id=b.id, status=InvitationStatus.DECLINED),
        ]
    )
    await session.flush()
    return {
        "employer": verified.id,
        "a": a.id,
        "b": b.id,
        "mine": mine.id,
        "mine2": mine2.id,
        "theirs": theirs.id,
        "hidden": hidden.id,
    }


def _employer(employer_id: int) -> Principal:
    return Principal(user_id=1, role=Role.EMPLOYER, employer_id=employer_id)


async def test_application_counts_per_posting_in_the_caller_s_scope(session: AsyncSession) -> None:
    ids = await _world(session)
    repo = ApplicationRepository(session)
    wanted = [ids["mine"], ids["mine2"], ids["theirs"]]
    me = _employer(ids["employer"])
    # withdrawn applications count (as the list of applications shows them); postings without any are left out
    assert await repo.counts_by_posting(wanted, applications_clause(me)) == {ids["mine"]: 2}
    admin = Principal(user_id=2, role=Role.ADMIN)
    assert await repo.counts_by_posting(wanted, applications_clause(admin)) == {ids["mine"]: 2, ids["theirs"]: 1}
    assert await repo.counts_by_posting([], applications_clause(admin)) == {}


async def test_the_postings_a_graduate_applied_to(session: AsyncSession) -> None:
    ids = await _world(session)
    repo = ApplicationRepository(session)
    assert await repo.posting_ids_of(ids["a"]) == {ids["mine"], ids["theirs"]}
    assert await repo.posting_ids_of(ids["b"]) == {ids["mine"]}  # withdrawn: still applied to


async def test_visible_posting_ids_follow_the_caller_s_scope(session: AsyncSession) -> None:
    ids = await _world(session)
    repo = PostingRepository(session)
    every = [ids["mine"], ids["theirs"], ids["hidden"]]
    graduate = Principal(user_id=3, role=Role.GRADUATE, graduate_id=ids["a"])
    # graduates never see the postings of unverified employers (issue 6)
    assert await repo.visible_ids(every, postings_clause(graduate)) == {ids["mine"], ids["theirs"]}
    assert await repo.visible_ids([], postings_clause(graduate)) == set()


async def test_open_region_codes_leave_out_postings_graduates_may_not_see(session: AsyncSession) -> None:
    await _world(session)
    assert await open_region_codes(session, dt.date.today()) == {"440106", "440100", "450100"}


async def test_invitation_statuses_of_a_posting_in_the_caller_s_scope(session: AsyncSession) -> None:
    ids = await _world(session)
    repo = ConversationRepository(session)
    me = _employer(ids["employer"])
    assert await repo.invitation_statuses(ids["mine"], invitations_clause(me)) == {ids["b"]: InvitationStatus.PENDING}
    # another employer's posting: nothing, even for a graduate invited there
    assert await repo.invitation_statuses(ids["theirs"], invitations_clause(me)) == {}
