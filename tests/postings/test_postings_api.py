"""Postings over real HTTP on both backends."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.employers.models import Employer
from service.postings.models import Posting
from tests.conftest import Clock
from tests.factories import places


@pytest.fixture
async def employer_id(session: AsyncSession) -> int:
    session.add_all(
        [
            *places("440000", "440100", "440106", "450000"),
        ]
    )
    employer = Employer(name="广州数控设备有限公司", verified=True)
    session.add(employer)
    await session.commit()
    return employer.id


def _posting(employer_id: int, **extra: object) -> dict[str, object]:
    body: dict[str, object] = {
        "title": "数控车床操作工",
        "employer_id": employer_id,
        "region_code": "440106",
        "salary_min": 5000,
        "salary_max": 7000,
        "required_skills": ["数控编程", "CAD"],
    }
    body.update(extra)
    return body


def test_create_read_update_list(client: httpx.Client, employer_id: int) -> None:
    created = client.post("/postings", json=_posting(employer_id))
    assert created.status_code == 201, created.text
    posting = created.json()
    assert posting["employer_name"] == "广州数控设备有限公司"
    assert (posting["salary_min_monthly"], posting["salary_max_monthly"]) == (5000, 7000)

    assert client.get(f"/postings/{posting['id']}").json()["title"] == "数控车床操作工"

    updated = client.patch(
        f"/postings/{posting['id']}", json={"salary_period": "DAY", "salary_min": 200, "salary_max": 300}
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["salary_min_monthly"] == 4350  # 200 元/天 × 21.75 days

    client.post("/postings", json=_posting(employer_id, title="仓库管理员", region_code="450000"))
    in_guangzhou = client.get("/postings", params={"region_code": "440100"}).json()
    assert [p["title"] for p in in_guangzhou["items"]] == ["数控车床操作工"]
    everything = client.get("/postings", params={"limit": 1}).json()
    assert everything["total"] == 2 and len(everything["items"]) == 1


async def test_a_new_posting_is_posted_on_beijings_date(
    client: httpx.Client, session: AsyncSession, employer_id: int, evening_in_utc: Clock
) -> None:
    """17:30 UTC is 01:30 tomorrow in Beijing: a posting created without ``posted_on`` (through the
    API, or stored as a row without one) is posted on the users' date, not the server's."""
    created = client.post("/postings", json=_posting(employer_id))
    assert created.status_code == 201, created.text
    assert created.json()["posted_on"] == evening_in_utc.beijing_day.isoformat()
    row = Posting(title="仓库管理员", employer_id=employer_id)
    session.add(row)
    await session.flush()
    assert row.posted_on == evening_in_utc.beijing_day


@pytest.mark.parametrize(
    ("body_change", "status", "field"),
    [
        ({"title": ""}, 400, "title"),
        ({"salary_min": -1}, 400, "salary_min"),
        ({"employment_type": "SOMETIMES"}, 400, "employment_type"),
        ({"unexpected": 1}, 400, "unexpected"),
        ({"region_code": "999999"}, 422, "region_code"),
        ({"salary_min": 9000, "salary_max": 7000}, 422, "salary_min"),
        ({"posted_on": "2026-05-01", "valid_through": "2026-04-01"}, 422, "valid_through"),
    ],
)
def test_bad_input_names_the_field(
    client: httpx.Client, employer_id: int, body_change: dict[str, object], status: int, field: str
) -> None:
    response = client.post("/postings", json=_posting(employer_id, **body_change))
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert field in problem["detail"]
    assert "Traceback" not in response.text
    assert client.get("/postings").json()["total"] == 0


def test_unknown_employer_is_422_and_unknown_posting_404(client: httpx.Client, employer_id: int) -> None:
    assert client.post("/postings", json=_posting(employer_id + 100)).status_code == 422
    missing = client.get("/postings/987654")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "posting 987654 not found"
    assert client.patch("/postings/987654", json={"title": "x"}).status_code == 404


def test_malformed_json_is_400(client: httpx.Client, employer_id: int) -> None:
    response = client.post("/postings", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_monthly_salary_above_the_ceiling_is_422(client: httpx.Client, employer_id: int) -> None:
    too_high = client.post(
        "/postings", json={"title": "x", "employer_id": employer_id, "salary_min": 100_000_000, "salary_period": "HOUR"}
    )
    assert too_high.status_code == 422, too_high.text
    problem = too_high.json()
    assert problem["errors"] == [
        {"field": "salary_min", "message": problem["errors"][0]["message"], "code": "salary_out_of_range"}
    ]
    assert "17,400,000,000 per month" in too_high.json()["detail"]
    max_only = client.post(
        "/postings", json=_posting(employer_id, salary_min=1, salary_max=500_000, salary_period="DAY")
    )
    assert max_only.status_code == 422 and max_only.json()["errors"][0]["field"] == "salary_max"
    # exactly the ceiling is stored, on both backends
    at_ceiling = client.post(
        "/postings", json=_posting(employer_id, salary_min=5000, salary_max=10_000_000, salary_period="MONTH")
    )
    assert at_ceiling.status_code == 201, at_ceiling.text
    assert at_ceiling.json()["salary_max_monthly"] == 10_000_000
    changed = client.patch(f"/postings/{at_ceiling.json()['id']}", json={"salary_period": "HOUR"})
    assert changed.status_code == 422 and changed.json()["errors"][0]["field"] == "salary_max"
    assert client.get(f"/postings/{at_ceiling.json()['id']}").json()["salary_period"] == "MONTH"
    assert client.get("/postings").json()["total"] == 1
    assert client.get("/postings", params={"min_salary": 10_000_000}).json()["total"] == 1
    bad = client.get("/postings", params={"min_salary": 10_000_001})
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "min_salary"


async def test_keywords_search_title_description_and_employer(
    client: httpx.Client, employer_id: int, session: AsyncSession
) -> None:
    """``q``: every word must appear in the title, the description or the employer's name (case
    aside); ``%`` and ``_`` are plain characters."""
    other = Employer(name="BYD 比亚迪汽车", verified=True)
    session.add(other)
    await session.commit()
    client.post("/postings", json=_posting(employer_id, description="负责叉车搬运与仓储盘点")).raise_for_status()
    client.post(
        "/postings", json=_posting(other.id, title="Assembly worker 装配工", description="100% 五险一金")
    ).raise_for_status()

    def titles(q: str) -> list[str]:
        return sorted(p["title"] for p in client.get("/postings", params={"q": q}).raise_for_status().json()["items"])

    assert titles("车床") == ["数控车床操作工"]  # the title
    assert titles("叉车") == ["数控车床操作工"]  # the description
    assert titles("比亚迪") == ["Assembly worker 装配工"]  # the employer's name
    assert titles("byd") == titles("assembly") == ["Assembly worker 装配工"]  # case-insensitive
    assert titles("广州数控 叉车") == ["数控车床操作工"]  # every word, wherever it is
    assert titles("广州数控 装配") == []
    assert titles("100%") == ["Assembly worker 装配工"] and titles("%") == ["Assembly worker 装配工"]
    assert titles("_") == []  # not a wildcard
