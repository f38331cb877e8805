"""Regions, schools and majors over real HTTP on both backends."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog.models import Major
from tests.factories import places


@pytest.fixture
async def reference(session: AsyncSession) -> None:
    session.add_all(
        [
            *places("440000", "440100", "440106", "440300", "450000"),
            Major(code="710201", name="计算机应用", category="电子与信息大类"),
            Major(code="710204", name="软件与信息服务", category="电子与信息大类"),
            Major(code="660301", name="数控技术应用", category="装备制造大类"),
        ]
    )
    await session.commit()


def test_regions_filter_by_level_and_parent(client: httpx.Client, reference: None) -> None:
    provinces = client.get("/regions", params={"level": "province"}).json()
    assert [r["code"] for r in provinces["items"]] == ["440000", "450000"]
    children = client.get("/regions", params={"parent_code": "440000"}).json()
    assert [r["name"] for r in children["items"]] == ["广州市", "深圳市"]
    assert children["items"][0] == {
        "code": "440100",
        "name": "广州市",
        "level": "city",
        "parent_code": "440000",
        "retired_on": None,
    }
    page = client.get("/regions", params={"limit": 2, "offset": 4}).json()
    assert (page["total"], [r["code"] for r in page["items"]]) == (5, ["450000"])
    assert client.get("/regions", params={"level": "village"}).status_code == 400


def test_schools_create_read_list(client: httpx.Client, reference: None) -> None:
    created = client.post(
        "/schools", json={"code": "4144010001", "name": "广州市信息技术职业学校", "region_code": "440106"}
    )
    assert created.status_code == 201, created.text
    school = created.json()
    assert client.get(f"/schools/{school['id']}").json()["name"] == "广州市信息技术职业学校"
    client.post("/schools", json={"code": "4144030001", "name": "深圳市第一职业技术学校", "region_code": "440300"})
    client.post("/schools", json={"code": "4145010001", "name": "南宁市第一职业技术学校", "region_code": "450000"})

    assert client.get("/schools", params={"region_code": "440000"}).json()["total"] == 2
    assert [s["code"] for s in client.get("/schools", params={"region_code": "440100"}).json()["items"]] == [
        "4144010001"
    ]
    assert [s["name"] for s in client.get("/schools", params={"q": "南宁"}).json()["items"]] == [
        "南宁市第一职业技术学校"
    ]
    assert client.get("/schools", params={"limit": 1}).json()["total"] == 3


@pytest.mark.parametrize(
    ("body_change", "status", "field"),
    [
        ({"region_code": "999999"}, 422, "region_code"),
        ({"code": "41440100"}, 400, "code"),
        ({"name": ""}, 400, "name"),
        ({"extra": True}, 400, "extra"),
    ],
)
def test_bad_school_names_the_field(
    client: httpx.Client, reference: None, body_change: dict[str, object], status: int, field: str
) -> None:
    body = {"code": "4144010001", "name": "某职业学校", "region_code": "440106", **body_change}
    response = client.post("/schools", json=body)
    assert response.status_code == status, response.text
    assert field in response.json()["detail"]
    assert client.get("/schools").json()["total"] == 0


def test_duplicate_school_code_is_409(client: httpx.Client, reference: None) -> None:
    body = {"code": "4144010001", "name": "某职业学校", "region_code": "440106"}
    assert client.post("/schools", json=body).status_code == 201
    duplicate = client.post("/schools", json={**body, "name": "另一所"})
    assert duplicate.status_code == 409
    assert "code" in duplicate.json()["detail"]
    assert client.get("/schools").json()["total"] == 1


def test_majors_filter_by_category(client: httpx.Client, reference: None) -> None:
    it = client.get("/majors", params={"category": "电子与信息大类"}).json()
    assert [m["code"] for m in it["items"]] == ["710201", "710204"]
    assert client.get("/majors").json()["items"][0] == {
        "code": "660301",
        "name": "数控技术应用",
        "category": "装备制造大类",
        "class_name": None,
        "valid_from": None,
        "retired_on": None,
    }
    assert client.get("/majors", params={"q": "软件"}).json()["total"] == 1


def test_unknown_school_is_404_and_malformed_json_400(client: httpx.Client, reference: None) -> None:
    missing = client.get("/schools/987654")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "school 987654 not found"
    response = client.post("/schools", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_school_names_are_stored_without_invisible_characters(client: httpx.Client, reference: None) -> None:
    """School names follow the one rule for names (service.inputs.clean_name): a zero-width space or
    a direction control would make a school no search for its visible name finds; a name of
    invisible characters only is refused (422 on ``name``) and nothing is stored."""
    body = {"code": "4144010001", "name": "广州市\u200b信息技术\u202e职业学校", "region_code": "440106"}
    created = client.post("/schools", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["name"] == "广州市信息技术职业学校"
    assert client.get("/schools", params={"q": "信息技术职业"}).json()["total"] == 1
    refused = client.post("/schools", json={**body, "code": "4144010002", "name": "\u200b\u2060"})
    assert refused.status_code == 422, refused.text
    assert refused.json()["errors"][0]["field"] == "name"
    assert client.get("/schools").json()["total"] == 1
