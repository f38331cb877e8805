"""Loading the reference data and the sample into a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import msgspec
import opencc
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload
from stdnum.cn import ric, uscc

from service.applications.models import ALLOWED_TRANSITIONS, Application
from service.catalog.majors import catalogue
from service.catalog.models import Major, Region, School
from service.destinations.models import DestinationEvent
from service.employers.models import Employer
from service.graduates.identity import gender_of_id_number
from service.graduates.models import Graduate
from service.models import Base
from service.postings.models import Posting, PostingStatus
from service.sample.generator import generate_sample
from service.sample.loader import load_reference, load_sample
from service.taxonomy.core import core_taxonomy
from service.taxonomy.models import Concept, ConceptAlias, MajorOccupation
from tests.sample.test_core_taxonomy import NAMED_MAJORS
from vocab import EmploymentType
from vocab.text import normalise

TODAY = dt.date(2026, 11, 29)


async def _table_counts(session: AsyncSession) -> dict[str, int]:
    return {
        t.name: int(await session.scalar(select(func.count()).select_from(t)) or 0) for t in Base.metadata.sorted_tables
    }


async def test_load_sample_contents(session: AsyncSession) -> None:
    counts = await load_sample(session, seed=2026, today=TODAY)
    await session.commit()
    assert counts.created and counts.employers >= 30 and counts.postings >= 100 and counts.graduates >= 200
    assert counts.applications > 0 and counts.destination_events > 0
    names = set((await session.scalars(select(Major.name))).all())
    assert set(NAMED_MAJORS) <= names

    employers = (await session.scalars(select(Employer))).all()
    assert all(e.uscc and uscc.validate(e.uscc) == e.uscc for e in employers)
    assert sum(e.verified for e in employers) > len(employers) / 2

    postings = (await session.scalars(select(Posting))).all()
    kinds = Counter(p.employment_type for p in postings)
    assert kinds[EmploymentType.INTERN] and kinds[EmploymentType.WORK_PLACEMENT] and kinds[EmploymentType.FULL_TIME]
    assert any(p.status is PostingStatus.FILLED for p in postings)
    assert any(p.status is PostingStatus.OPEN and p.valid_through and p.valid_through < TODAY for p in postings)
    for p in postings:
        assert p.title and 3 <= len(p.description.splitlines()) <= 6 and p.required_skills and p.occupation_code
        if p.employment_type is EmploymentType.FULL_TIME and p.salary_min_monthly is not None:
            assert p.salary_max_monthly is not None
            assert 3500 <= p.salary_min_monthly <= p.salary_max_monthly <= 8000

    graduates = (
        await session.scalars(
            select(Graduate).options(selectinload(Graduate.certificates), selectinload(Graduate.experiences))
        )
    ).all()
    for g in graduates:
        assert g.id_number and ric.validate(g.id_number) == g.id_number
        assert gender_of_id_number(g.id_number) == g.gender
        born = ric.get_birth_date(g.id_number)
        assert g.cohort in (2024, 2025, 2026) and g.cohort - 19 <= born.year <= g.cohort - 18
        assert g.student_number and g.student_number.startswith("0")
        assert isinstance(g.phone, str) and len(g.phone) == 11 and g.phone.startswith("1")
        assert g.skills and g.major_code and g.school_id
    assert any(c for g in graduates for c in g.certificates)
    assert any(e.kind.value == "work_placement" for g in graduates for e in g.experiences)
    skills = [s for g in graduates for s in g.skills]
    t2s = opencc.OpenCC("t2s")
    assert any(any("\uff01" <= ch <= "\uff5e" for ch in s) for s in skills)  # full-width letters
    assert any(t2s.convert(s) != s for s in skills)  # traditional characters
    resolved = sum(core_taxonomy().resolve(s, kind="skill") is not None for s in skills)
    assert resolved >= 0.9 * len(skills)  # aliases and variants resolve (a few typos may not)

    apps = (await session.scalars(select(Application).options(selectinload(Application.history)))).all()
    for a in apps:
        assert a.history[0].from_status is None and a.history[-1].to_status == a.status
        for before, after in zip(a.history, a.history[1:]):
            assert after.from_status == before.to_status and after.to_status in ALLOWED_TRANSITIONS[before.to_status]
    by_posting = Counter(a.posting_id for a in apps)
    assert all(p.application_count == by_posting[p.id] for p in postings)
    hires = (await session.scalars(select(DestinationEvent).where(DestinationEvent.application_id.is_not(None)))).all()
    assert hires and all(h.in_field for h in hires)
    assert await session.scalar(select(func.count()).select_from(School)) == 14


async def test_reference_rows(session: AsyncSession) -> None:
    await load_reference(session)
    await session.commit()
    assert await session.scalar(select(func.count()).select_from(Major)) == len(catalogue()) == 358
    for code, m in core_taxonomy().majors.items():  # the sample's majors are catalogue majors, as named there
        stored = await session.get(Major, code)
        assert stored is not None and (stored.name, stored.category) == (m.name, m.category)
    gd_cities = (
        await session.scalars(select(Region.name).where(Region.parent_code == "440000", Region.level == "city"))
    ).all()
    assert len(gd_cities) == 21 and "东莞市" in gd_cities
    shenzhen_district = await session.get(Region, "440309")
    assert shenzhen_district is not None and shenzhen_district.name == "龙华区"
    alias = await session.scalar(select(ConceptAlias).where(ConceptAlias.label == "CNC编程"))
    assert alias is not None and alias.normalised == normalise("CNC编程") == "数控编程"  # a CNC compound is 数控
    concept = await session.get(Concept, alias.concept_id)
    assert concept is not None and concept.code == "skill.cnc-programming" and concept.scheme == "vocmatch"
    links = await session.scalar(
        select(func.count()).select_from(MajorOccupation).where(MajorOccupation.major_code == "660103")
    )
    assert links == len(core_taxonomy().majors["660103"].occupations)


async def test_second_load_adds_nothing_and_same_seed_gives_same_data(session: AsyncSession) -> None:
    first = await load_sample(session, seed=2026, today=TODAY)
    await session.commit()
    tables = await _table_counts(session)
    again = await load_sample(session, seed=2026, today=TODAY)
    await session.commit()
    assert first.created and not again.created
    assert msgspec.structs.replace(again, created=True) == first
    assert await _table_counts(session) == tables

    expected = generate_sample(core_taxonomy(), seed=2026, today=TODAY)
    stored_uscc = (await session.scalars(select(Employer.uscc).order_by(Employer.uscc))).all()
    assert stored_uscc == sorted(e.uscc for e in expected.employers)
    rows = (
        (
            await session.execute(
                select(Graduate.external_id, Graduate.name, Graduate.id_number, Graduate.skills).order_by(
                    Graduate.external_id
                )
            )
        )
        .tuples()
        .all()
    )
    assert [(r[0], r[1], r[2], list(r[3])) for r in rows] == [
        (g.external_id, g.name, g.id_number, list(g.skills)) for g in expected.graduates
    ]
    titles = (
        (
            await session.execute(
                select(Posting.external_id, Posting.title, Posting.salary_text).order_by(Posting.external_id)
            )
        )
        .tuples()
        .all()
    )
    assert list(titles) == [(p.external_id, p.title, p.salary_text) for p in expected.postings]


async def test_reload_restores_changed_reference_rows(session: AsyncSession) -> None:
    await load_reference(session)
    await session.commit()
    concept = await session.scalar(
        select(Concept).where(Concept.code == "cert.forklift").options(selectinload(Concept.aliases))
    )
    assert concept is not None
    concept.label = "叉车证（旧名）"
    concept.aliases = [a for a in concept.aliases if a.label != "叉车证"]
    concept.aliases.append(ConceptAlias(label="铲车证", normalised="铲车证", lang="zh"))
    school = await session.scalar(select(School).where(School.code == "SAMPLE4403060003"))
    assert school is not None
    school.name = "改名学校"
    await session.commit()

    await load_reference(session)
    await session.commit()
    session.expunge_all()
    concept = await session.scalar(
        select(Concept).where(Concept.code == "cert.forklift").options(selectinload(Concept.aliases))
    )
    assert concept is not None and concept.label == "叉车司机特种设备作业人员证（N1）"
    labels = {a.label for a in concept.aliases}
    assert "叉车证" in labels and "铲车证" not in labels
    assert labels == {a.label for a in core_taxonomy().concepts["cert.forklift"].aliases}
    school = await session.scalar(select(School).where(School.code == "SAMPLE4403060003"))
    assert school is not None and school.name == "深圳市鹏湾职业技术学校"
