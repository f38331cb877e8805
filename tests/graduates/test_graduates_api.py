"""Graduate profiles over real HTTP on both backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.catalog.models import Major, School
from tests.conftest import Clock
from tests.factories import places


def id_number(first17: str) -> str:
    """A valid 身份证号 (GB 11643-1999) for the 17 given digits."""
    return first17 + ric.calc_check_digit(first17 + "0")


MALE_ID = id_number("44010620050101001")  # 17th digit 1: male
FEMALE_ID = id_number("44010620050101002")  # 17th digit 2: female
MIDDLE = MALE_ID[4:14]


def wrong_check(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


@pytest.fixture
async def school_id(session: AsyncSession) -> int:
    session.add_all(
        [
            *places("440000", "440100", "440106", "450000"),
            Major(code="710201", name="计算机应用", category="电子与信息大类"),
            Major(code="660301", name="数控技术应用", category="装备制造大类"),
        ]
    )
    await session.flush()
    school = School(code="4144010001", name="广州市信息技术职业学校", region_code="440106")
    session.add(school)
    await session.commit()
    return school.id


def _graduate(school: int, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "陈小明",
        "gender": "male",
        "student_number": "0012023001",
        "id_number": MALE_ID,
        "phone": "013800138000",
        "school_id": school,
        "major_code": "710201",
        "graduation_date": "2025-06-30",
        "region_code": "440106",
        "skills": ["Python", "网络布线"],
        "desired_titles": ["网络管理员"],
        "preferred_locations": ["440100", "深圳"],
        "min_salary_monthly": 4500,
        "preferred_job_types": ["FULL_TIME", "INTERN"],
        "certificates": [
            {"name": "网络设备调试员", "level": "四级", "issuer": "广东省人社厅", "issued_on": "2024-12-01"}
        ],
        "awards": [{"competition": "全国职业院校技能大赛", "level": "省级", "prize": "二等奖", "year": 2024}],
        "experiences": [
            {
                "kind": "work_placement",
                "employer_name": "广州某网络公司",
                "title": "网络运维实习生",
                "city": "广州",
                "province": "广东",
                "start_date": "2024-09-01",
                "end_date": "2025-03-01",
            }
        ],
    }
    body.update(extra)
    return body


def test_create_read_update_list(client: httpx.Client, school_id: int) -> None:
    created = client.post("/graduates", json=_graduate(school_id))
    assert created.status_code == 201, created.text
    g = created.json()
    assert g["cohort"] == 2025  # from graduation_date
    assert (g["student_number"], g["phone"]) == ("0012023001", "013800138000")  # leading zeros kept
    assert g["school_name"] == "广州市信息技术职业学校" and g["major_name"] == "计算机应用"
    assert g["id_number_masked"] == "*" * 14 + MALE_ID[-4:]  # the last 4 only (issue 14)
    assert "id_number" not in g
    assert g["certificates"][0]["name"] == "网络设备调试员" and g["certificates"][0]["issued_on"] == "2024-12-01"
    assert g["awards"][0]["prize"] == "二等奖"
    assert g["experiences"][0]["kind"] == "work_placement"
    assert g["preferred_job_types"] == ["FULL_TIME", "INTERN"]

    read = client.get(f"/graduates/{g['id']}").json()
    assert read == g

    updated = client.patch(
        f"/graduates/{g['id']}",
        json={
            "certificates": [{"name": "Web前端开发 1+X", "level": "初级"}, {"name": "计算机操作员", "level": "五级"}],
            "min_salary_monthly": 5000,
        },
    )
    assert updated.status_code == 200, updated.text
    u = updated.json()
    assert [c["name"] for c in u["certificates"]] == ["Web前端开发 1+X", "计算机操作员"]  # list replaced
    assert u["awards"] == g["awards"] and u["experiences"] == g["experiences"]  # absent lists kept
    assert u["min_salary_monthly"] == 5000 and u["name"] == "陈小明"
    cleared = client.patch(f"/graduates/{g['id']}", json={"awards": [], "graduation_date": "2026-06-30"}).json()
    assert cleared["awards"] == [] and len(cleared["certificates"]) == 2
    assert cleared["cohort"] == 2026  # a derived cohort follows the graduation date

    client.post(
        "/graduates",
        json=_graduate(
            school_id,
            name="李华",
            gender="female",
            id_number=FEMALE_ID,
            student_number="0012023002",
            major_code="660301",
            cohort=2024,
            region_code="450000",
            kind="adult_trainee",
        ),
    )

    def by(**params: Any) -> list[str]:
        return [x["name"] for x in client.get("/graduates", params=params).json()["items"]]

    assert by(major_code="660301") == ["李华"]
    assert by(cohort=2026) == ["陈小明"]
    assert by(region_code="440000") == ["陈小明"]
    assert by(kind="adult_trainee") == ["李华"]
    assert by(q="小明") == ["陈小明"]
    assert by(school_id=school_id) == ["陈小明", "李华"]
    page = client.get("/graduates", params={"limit": 1, "offset": 1}).json()
    assert (page["total"], [x["name"] for x in page["items"]]) == (2, ["李华"])


def test_gender_is_taken_from_the_id_number_when_absent(client: httpx.Client, school_id: int) -> None:
    body = _graduate(school_id, id_number=FEMALE_ID.lower())
    del body["gender"]
    created = client.post("/graduates", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["gender"] == "female"


def test_id_number_never_appears_unmasked(client: httpx.Client, school_id: int) -> None:
    created = client.post("/graduates", json=_graduate(school_id))
    gid = created.json()["id"]
    bodies = [
        created.text,
        client.get(f"/graduates/{gid}").text,
        client.get("/graduates").text,
        client.patch(f"/graduates/{gid}", json={"id_number": MALE_ID, "name": "陈明"}).text,
        client.patch(f"/graduates/{gid}", json={"gender": "female"}).text,  # rejected: names gender
        client.patch(f"/graduates/{gid}", json={"id_number": wrong_check(FEMALE_ID)}).text,
        client.post("/graduates", json=_graduate(school_id)).text,  # duplicate student number
    ]
    for text in bodies:
        assert MIDDLE not in text
        assert wrong_check(FEMALE_ID)[4:14] not in text
        assert '"id_number":' not in text  # no such key, only id_number_masked


@pytest.mark.parametrize(
    ("body_change", "status", "field"),
    [
        ({"id_number": wrong_check(MALE_ID)}, 422, "id_number"),
        ({"id_number": MALE_ID[:17]}, 422, "id_number"),
        ({"id_number": id_number("44010620051301001")}, 422, "id_number"),  # month 13
        ({"gender": "female"}, 422, "gender"),  # the ID's 17th digit is odd: male
        ({"school_id": 987654}, 422, "school_id"),
        ({"major_code": "999999"}, 422, "major_code"),
        ({"region_code": "999999"}, 422, "region_code"),
        ({"certificates": [{"name": "电工", "issued_on": "2999-01-01"}]}, 422, "certificates[0].issued_on"),
        ({"certificates": [{"name": "电工", "issued_on": "not a date"}]}, 400, "certificates"),
        ({"certificates": [{"level": "四级"}]}, 400, "name"),
        (
            {"experiences": [{"title": "a"}, {"title": "b", "start_date": "2025-01-01", "end_date": "2024-01-01"}]},
            422,
            "experiences[1].end_date",
        ),
        ({"experiences": [{"title": "a", "kind": "apprentice"}]}, 400, "kind"),
        ({"preferred_job_types": ["SOMETIMES"]}, 400, "preferred_job_types"),
        ({"phone": 13800138000}, 400, "phone"),
        ({"min_salary_monthly": -1}, 400, "min_salary_monthly"),
        ({"unexpected": 1}, 400, "unexpected"),
    ],
)
def test_bad_input_names_the_field_and_stores_nothing(
    client: httpx.Client, school_id: int, body_change: dict[str, object], status: int, field: str
) -> None:
    response = client.post("/graduates", json=_graduate(school_id, **body_change))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.json()["detail"]
    assert "Traceback" not in response.text
    assert client.get("/graduates").json()["total"] == 0


def test_dates_of_today_in_beijing_are_not_in_the_future(
    client: httpx.Client, school_id: int, evening_in_utc: Clock
) -> None:
    """17:30 UTC, 01:30 tomorrow in Beijing: a 身份证号 born on Beijing's today, and a certificate
    issued then, are accepted (the later of the two calendars bounds "not in the future"); the day
    after is still refused. With the server's date both were refused as in the future."""
    today = evening_in_utc.beijing_day
    born_today = id_number(f"440106{today:%Y%m%d}001")
    certificate = {"name": "电工", "issued_on": today.isoformat()}
    created = client.post("/graduates", json=_graduate(school_id, id_number=born_today, certificates=[certificate]))
    assert created.status_code == 201, created.text
    tomorrow = id_number(f"440106{today + dt.timedelta(days=1):%Y%m%d}001")
    refused = client.post("/graduates", json=_graduate(school_id, student_number="12023009", id_number=tomorrow))
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["code"] == "id_number_birth_date"


def test_duplicate_student_number_is_409(client: httpx.Client, school_id: int) -> None:
    first = client.post("/graduates", json=_graduate(school_id)).json()
    duplicate = client.post("/graduates", json=_graduate(school_id, name="另一个人", id_number=None))
    assert duplicate.status_code == 409, duplicate.text
    assert "student_number" in duplicate.json()["detail"]
    other = client.post("/graduates", json=_graduate(school_id, student_number="12023001", id_number=None)).json()
    clash = client.patch(f"/graduates/{other['id']}", json={"student_number": "0012023001"})
    assert clash.status_code == 409
    assert client.get("/graduates").json()["total"] == 2
    assert client.patch(f"/graduates/{first['id']}", json={"student_number": "0012023001"}).status_code == 200


def test_rejected_update_changes_nothing(client: httpx.Client, school_id: int) -> None:
    g = client.post("/graduates", json=_graduate(school_id)).json()
    response = client.patch(
        f"/graduates/{g['id']}",
        json={
            "name": "改名",
            "certificates": [],
            "experiences": [{"title": "x", "start_date": "2025-02-01", "end_date": "2025-01-01"}],
        },
    )
    assert response.status_code == 422
    assert "experiences[0].end_date" in response.json()["detail"]
    assert client.get(f"/graduates/{g['id']}").json() == g
    mismatch = client.patch(f"/graduates/{g['id']}", json={"id_number": FEMALE_ID})  # stored gender is male
    assert mismatch.status_code == 422 and "gender" in mismatch.json()["detail"]
    both = client.patch(f"/graduates/{g['id']}", json={"id_number": FEMALE_ID, "gender": "female"})
    assert both.status_code == 200 and both.json()["id_number_masked"].endswith(FEMALE_ID[-4:])


def test_unknown_preferred_places_are_a_problem_naming_the_field_and_the_place(
    client: httpx.Client, school_id: int
) -> None:
    """The profile page's rule (issue 19), now the domain's: every preferred place is a region code or
    a region's name (with or without 市/省/区/县); the API answers 422 naming the field and the place."""
    g = client.post("/graduates", json=_graduate(school_id)).json()
    bad = client.patch(f"/graduates/{g['id']}", json={"preferred_locations": ["广州", "火星市", "999999"]})
    assert bad.status_code == 422, bad.text
    assert bad.headers["content-type"].startswith("application/problem+json")
    problem = bad.json()
    assert problem["status"] == 422 and "preferred_locations" in problem["detail"]
    (item,) = problem["errors"]
    assert item["field"] == "preferred_locations" and item["code"] == "unknown_place"
    assert "火星市" in item["message"] and "999999" in item["message"] and "广州" not in item["message"]
    assert client.get(f"/graduates/{g['id']}").json() == g
    good = client.patch(f"/graduates/{g['id']}", json={"preferred_locations": ["广州", "440106"]})
    assert good.status_code == 200 and good.json()["preferred_locations"] == ["广州", "440106"]


def test_unknown_graduate_is_404(client: httpx.Client, school_id: int) -> None:
    missing = client.get("/graduates/987654")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "graduate 987654 not found"
    assert client.patch("/graduates/987654", json={"name": "x"}).status_code == 404


def test_malformed_json_is_400(client: httpx.Client, school_id: int) -> None:
    response = client.post("/graduates", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) for c in text)  # 0-9, X → ０-９, Ｘ


def test_one_id_number_one_graduate(client: httpx.Client, school_id: int) -> None:
    first = client.post("/graduates", json=_graduate(school_id))
    assert first.status_code == 201, first.text
    for typed in (MALE_ID, _full_width(MALE_ID), f" {MALE_ID}\u3000"):
        again = client.post("/graduates", json=_graduate(school_id, student_number="0012023099", id_number=typed))
        assert again.status_code == 409, again.text
        assert again.json()["errors"][0]["field"] == "id_number"
        assert MALE_ID not in again.text and MIDDLE not in again.text
    other = client.post(
        "/graduates",
        json=_graduate(school_id, student_number="0012023002", id_number=FEMALE_ID, gender="female", name="李华"),
    ).json()
    clash = client.patch(f"/graduates/{other['id']}", json={"id_number": _full_width(MALE_ID), "gender": "male"})
    assert clash.status_code == 409 and clash.json()["errors"][0]["field"] == "id_number"
    assert client.get(f"/graduates/{other['id']}").json()["id_number_masked"].endswith(FEMALE_ID[-4:])
    own = client.patch(f"/graduates/{first.json()['id']}", json={"id_number": MALE_ID.lower(), "name": "陈明"})
    assert own.status_code == 200, own.text  # a graduate may restate its own number
    assert client.get("/graduates").json()["total"] == 2


@pytest.mark.parametrize(
    ("number", "accepted"),
    [
        (id_number("00010620050101001"), False),  # 00: no such province
        (id_number("99010620050101001"), False),
        (id_number("10010620050101001"), False),
        (id_number("44010618990101001"), False),  # born 1899
        (id_number("44010619000101001"), True),
        (id_number("82000020050101001"), True),  # 澳门
        (_full_width(id_number("11010519491231002")), True),  # full-width, check character Ｘ
    ],
)
def test_id_number_province_birth_year_and_full_width(
    client: httpx.Client, school_id: int, number: str, accepted: bool
) -> None:
    body = _graduate(school_id, id_number=number)
    del body["gender"]
    response = client.post("/graduates", json=body)
    if accepted:
        assert response.status_code == 201, response.text
        assert response.json()["id_number_masked"][-1] in "0123456789X"
    else:
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "id_number"
        assert number[4:14] not in response.text
        assert client.get("/graduates").json()["total"] == 0


def test_department_reads_carry_no_phone(client: httpx.Client, client_as: Any, school_id: int) -> None:
    """Phone follow-up is the schools' work: school staff read the phone, a department admin of the
    region reads the profile without it (as its follow-up list and export)."""
    from service.accounts.models import Role

    gid = client.post("/graduates", json=_graduate(school_id)).raise_for_status().json()["id"]
    staff = client_as(Role.SCHOOL, school_id=school_id)
    department = client_as(Role.DEPARTMENT, region_code="440100")
    assert staff.get(f"/graduates/{gid}").json()["phone"] == "013800138000"
    one = department.get(f"/graduates/{gid}")
    assert one.status_code == 200 and one.json()["phone"] is None and one.json()["name"] == "陈小明"
    listed = department.get("/graduates").json()["items"]
    assert [g["phone"] for g in listed] == [None] and "013800138000" not in department.get("/graduates").text


def test_names_are_stored_without_invisible_characters(client: httpx.Client, school_id: int) -> None:
    """One rule for names (service.inputs.clean_name): composed (NFC), without zero-width spaces,
    joiners, soft hyphens, BOMs or direction controls, so a search for the name as shown finds it;
    visible marks stay (Nǚ, the middle dot of 阿卜杜拉·买买提); a name of invisible characters only
    is refused on create and on update."""
    created = client.post("/graduates", json=_graduate(school_id, name="李\u200b华"))
    assert created.status_code == 201, created.text
    g = created.json()
    assert g["name"] == "李华"
    assert [x["name"] for x in client.get("/graduates", params={"q": "李华"}).json()["items"]] == ["李华"]
    for sent, stored in (
        ("Nu\u0308\u030c", "N\u01da"),  # decomposed ǚ composed
        ("\u202e阿卜杜拉·买买提\u202c", "阿卜杜拉·买买提"),
        ("王\u00ad\u2060\ufeff\u200c\u200d五", "王五"),
    ):
        updated = client.patch(f"/graduates/{g['id']}", json={"name": sent})
        assert updated.status_code == 200, updated.text
        assert updated.json()["name"] == stored
    for response in (
        client.patch(f"/graduates/{g['id']}", json={"name": "\u200b"}),
        client.post("/graduates", json=_graduate(school_id, name="\u200b \u2066", student_number="9", id_number=None)),
    ):
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "name"
