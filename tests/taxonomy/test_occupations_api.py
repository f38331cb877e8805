"""Reading an occupation with its skills: :func:`skills_for_occupation` and
``GET /taxonomy/occupations/{scheme}/{code}`` over real HTTP, on both backends, after importing the
hand-written ESCO and O*NET fixtures."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from matching.taxonomy_sources import read_esco, read_onet
from service.accounts.models import Role
from service.catalog.models import Region, RegionLevel, School
from service.errors import NotFoundError
from service.graduates.models import Graduate
from service.taxonomy.importer import import_taxonomy
from service.taxonomy.service import SkillLink, code_from_path, skills_for_occupation

WELDER = "http://data.europa.eu/esco/occupation/t0000001-aaaa-4bbb-8ccc-000000000001"
COOK = "http://data.europa.eu/esco/occupation/t0000001-aaaa-4bbb-8ccc-000000000003"


async def _import_fixtures(session: AsyncSession, releases: Path) -> None:
    await import_taxonomy(session, read_esco(releases / "esco"))
    await import_taxonomy(session, read_onet(releases / "onet"))
    await session.commit()


async def test_skills_for_occupation_orders_by_weight_then_relation(session: AsyncSession, releases: Path) -> None:
    await _import_fixtures(session, releases)
    assert await skills_for_occupation(session, "onet", "99-9001.00") == [
        SkillLink("Operation Monitoring", "importance", 0.75),
        SkillLink("Reading Comprehension", "importance", 0.53),
        SkillLink("Spreadsheet Test Suite", "hot_technology", None),
        SkillLink("PipeCAD Test Edition", "technology", None),
    ]
    assert await skills_for_occupation(session, "esco", WELDER) == [
        ("weld pipes", "essential", None),
        ("follow safety rules", "optional", None),
    ]
    with pytest.raises(NotFoundError, match="occupation esco:99-9001.00 not found"):
        await skills_for_occupation(session, "esco", "99-9001.00")  # an O*NET code, not in ESCO
    with pytest.raises(NotFoundError):  # a skill is not an occupation
        await skills_for_occupation(session, "onet", "2.A.1.a")


def test_code_from_path_restores_uri_slashes() -> None:
    assert code_from_path("/http:/data.europa.eu/esco/occupation/x") == "http://data.europa.eu/esco/occupation/x"
    assert code_from_path("/http://data.europa.eu/esco/occupation/x") == "http://data.europa.eu/esco/occupation/x"
    assert code_from_path("/47-2152.00") == "47-2152.00"
    assert code_from_path("/tech:Microsoft Excel") == "tech:Microsoft Excel"


async def test_occupation_endpoint_over_http(
    session: AsyncSession,
    client: httpx.Client,
    client_as: Callable[..., httpx.Client],
    anon_client: httpx.Client,
    releases: Path,
) -> None:
    await _import_fixtures(session, releases)
    session.add(Region(code="440000", name="广东省", level=RegionLevel.PROVINCE))
    await session.flush()
    school = School(code="4144010001", name="广州市机电技师学校", region_code="440000")
    session.add(school)
    await session.flush()
    student = Graduate(name="陈小明", school_id=school.id)
    session.add(student)
    await session.commit()
    r = client.get("/taxonomy/occupations/onet/99-9002.00")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "scheme": "onet",
        "code": "99-9002.00",
        "kind": "occupation",
        "label": "Line Cooks, Test",
        "lang": "en",
        "aliases": ["Grill Cook"],
        "skills": [
            {"code": "2.B.3.a", "label": "Operation Monitoring", "relation": "importance", "weight": 0.3125},
            {
                "code": "tech:Spreadsheet Test Suite",
                "label": "Spreadsheet Test Suite",
                "relation": "hot_technology",
                "weight": None,
            },
        ],
    }
    # an ESCO URI, as is and percent-encoded; any signed-in role may read it
    graduate = client_as(Role.GRADUATE, graduate_id=student.id)
    for path in (f"/taxonomy/occupations/esco/{WELDER}", f"/taxonomy/occupations/esco/{quote(WELDER, safe='')}"):
        r = graduate.get(path)
        assert r.status_code == 200, (path, r.text)
        body = r.json()
        assert (body["code"], body["label"]) == (WELDER, "pipe welder")
        assert body["aliases"] == ["pipe weldor", "pipeline welding operative", "welder of pipes"]
        assert [(s["label"], s["relation"]) for s in body["skills"]] == [
            ("weld pipes", "essential"),
            ("follow safety rules", "optional"),
        ]
    cook = client.get(f"/taxonomy/occupations/esco/{COOK}").json()
    assert (cook["aliases"], [s["label"] for s in cook["skills"]]) == ([], ["follow safety rules"])

    assert anon_client.get("/taxonomy/occupations/onet/99-9002.00").status_code == 401
    missing = client.get("/taxonomy/occupations/onet/00-0000.00")
    assert missing.status_code == 404 and "occupation onet:00-0000.00 not found" in missing.text
    assert client.get("/taxonomy/occupations/onet/2.A.1.a").status_code == 404  # a skill
    bad_scheme = client.get("/taxonomy/occupations/ONET!/99-9002.00")
    assert bad_scheme.status_code == 400 and "scheme" in bad_scheme.text
    too_long = client.get("/taxonomy/occupations/onet/" + "9" * 201)
    assert too_long.status_code == 400 and "code" in too_long.text
