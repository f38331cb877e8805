"""``service.recommendations.gaps``: which one missing skill or certificate opens the most nearby
postings — on both databases, with the real ranker and the core taxonomy."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.employers.models import Employer
from service.errors import NotFoundError
from service.graduates.models import Graduate, GraduateCertificate
from service.postings.models import Posting, PostingStatus
from service.recommendations.gaps import opening_items
from service.recommendations.service import RankerCache
from tests.factories import places
from vocab import EducationLevel

GZ = {"region_code": "440106", "province": "广东省", "city": "广州市"}
SZ = {"region_code": "440304", "province": "广东省", "city": "深圳市"}


async def _world(session: AsyncSession) -> dict[str, int]:
    session.add_all(
        [
            *places("440000", "440100", "440106", "440300", "440304"),
        ]
    )
    await session.flush()
    verified = Employer(name="广州数控设备有限公司", verified=True, region_code="440106")
    hidden = Employer(name="未审核公司", verified=False, region_code="440106")
    session.add_all([verified, hidden])
    await session.flush()
    graduate = Graduate(
        name="陈小明", skills=["数控车床操作", "CAD制图"], **GZ, certificates=[GraduateCertificate(name="焊工证")]
    )
    nowhere = Graduate(name="无地点")
    e, h = verified.id, hidden.id
    rows = {
        # missing only 电工证 (its concept: 低压电工作业证) → opened by it
        "gz_cert": Posting(
            title="数控车工", employer_id=e, required_skills=["数控车床操作", "CAD制图"], certificates=["电工证"], **GZ
        ),
        # another wording of the same certificate, listed twice: still one item
        "gz_cert2": Posting(
            title="设备维护",
            employer_id=e,
            required_skills=["数控车床操作"],
            certificates=["低压电工作业证", "电工证"],
            **GZ,
        ),
        # already qualified (the welding certificate is held: 焊工证)
        "gz_ok": Posting(
            title="车工",
            employer_id=e,
            required_skills=["数控车床操作"],
            certificates=["熔化焊接与热切割作业证"],
            preferred_skills=["PLC编程"],
            **GZ,
        ),
        # two items missing: opened by neither alone
        "gz_two": Posting(title="电气维修", employer_id=e, required_skills=["PLC编程"], certificates=["电工证"], **GZ),
        # one missing skill
        "gz_skill": Posting(title="自动化产线操作", employer_id=e, required_skills=["CAD制图", "PLC编程"], **GZ),
        # education not met: no skill opens it
        "gz_degree": Posting(
            title="工程师", employer_id=e, certificates=["电工证"], education_required=EducationLevel.BACHELOR, **GZ
        ),
        # not visible / not open / not in the city
        "gz_hidden": Posting(title="维修工", employer_id=h, certificates=["电工证"], **GZ),
        "gz_closed": Posting(title="维修工", employer_id=e, certificates=["电工证"], status=PostingStatus.CLOSED, **GZ),
        "gz_expired": Posting(
            title="维修工",
            employer_id=e,
            certificates=["电工证"],
            valid_through=dt.date.today() - dt.timedelta(days=1),
            **GZ,
        ),
        "sz_cert": Posting(title="数控车工", employer_id=e, required_skills=["CAD制图"], certificates=["电工证"], **SZ),
    }
    session.add_all([graduate, nowhere, *rows.values()])
    await session.flush()
    await session.commit()
    return {"graduate": graduate.id, "nowhere": nowhere.id, **{k: p.id for k, p in rows.items()}}


async def test_counts_postings_that_one_missing_item_would_open(session: AsyncSession) -> None:
    ids = await _world(session)
    report = await opening_items(session, RankerCache(), ids["graduate"])
    assert report.area == "city" and report.area_name == "广州市"
    # open, visible, in 广州: cert, cert2, ok, two, skill, degree
    assert report.nearby == 6 and report.qualified == 1
    assert [(i.label, i.kind, i.postings) for i in report.items] == [
        ("低压电工作业证", "certificate", 2),
        ("PLC编程", "skill", 1),
    ]
    assert report.items[0].key == "c:cert.low-voltage-electrician"
    assert report.items[0].example_posting_ids == sorted([ids["gz_cert"], ids["gz_cert2"]])
    assert report.items[1].example_posting_ids == [ids["gz_skill"]]


async def test_province_area_and_top(session: AsyncSession) -> None:
    ids = await _world(session)
    report = await opening_items(session, RankerCache(), ids["graduate"], area="province", top=1)
    assert report.area_name == "广东省" and report.nearby == 7
    assert [(i.label, i.postings) for i in report.items] == [("低压电工作业证", 3)]
    assert ids["sz_cert"] in report.items[0].example_posting_ids


async def test_unknown_place_and_unknown_graduate(session: AsyncSession) -> None:
    ids = await _world(session)
    empty = await opening_items(session, RankerCache(), ids["nowhere"])
    assert empty.area_name is None and empty.nearby == 0 and empty.items == []
    with pytest.raises(NotFoundError):
        await opening_items(session, RankerCache(), 999_999)
