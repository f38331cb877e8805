"""Employers over real HTTP on both backends."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.factories import places

USCC = "91110108551385082Q"  # valid GB 32100-2015 code
OTHER_USCC = "91440101MA5CYUUX3F"


@pytest.fixture
async def regions(session: AsyncSession) -> None:
    session.add_all(
        [
            *places("440000", "440100", "440106", "110000", "110108"),
        ]
    )
    await session.commit()


def test_create_read_update_list(client: httpx.Client, regions: None) -> None:
    created = client.post(
        "/employers",
        json={
            "name": "广州数控设备有限公司",
            "uscc": "9111 0108 5513 8508 2q",
            "industry": "制造业",
            "region_code": "440106",
        },
    )
    assert created.status_code == 201, created.text
    employer = created.json()
    assert employer["uscc"] == USCC  # separators dropped, upper case
    assert employer["verified"] is False

    assert client.get(f"/employers/{employer['id']}").json()["name"] == "广州数控设备有限公司"
    refused = client.patch(f"/employers/{employer['id']}", json={"verified": True, "size": "500-1000人"})
    assert refused.status_code == 400 and "verified" in refused.text  # only POST /employers/{id}/verify sets it
    updated = client.patch(f"/employers/{employer['id']}", json={"size": "500-1000人"})
    assert updated.status_code == 200, updated.text
    assert (updated.json()["verified"], updated.json()["size"]) == (False, "500-1000人")
    assert client.post(f"/employers/{employer['id']}/verify").json()["verified"] is True
    assert client.get(f"/employers/{employer['id']}").json()["verified"] is True

    client.post("/employers", json={"name": "北京汽修连锁", "industry": "服务业", "region_code": "110108"})
    client.post("/employers", json={"name": "广州汽修店", "industry": "服务业", "region_code": "440100"})
    in_guangdong = client.get("/employers", params={"region_code": "440000"}).json()
    assert [e["name"] for e in in_guangdong["items"]] == ["广州数控设备有限公司", "广州汽修店"]
    assert [e["name"] for e in client.get("/employers", params={"q": "汽修"}).json()["items"]] == [
        "北京汽修连锁",
        "广州汽修店",
    ]
    assert client.get("/employers", params={"industry": "服务业", "region_code": "440100"}).json()["total"] == 1
    assert [e["name"] for e in client.get("/employers", params={"verified": "true"}).json()["items"]] == [
        "广州数控设备有限公司"
    ]
    assert client.get("/employers", params={"verified": "false"}).json()["total"] == 2
    page = client.get("/employers", params={"limit": 2, "offset": 2}).json()
    assert (page["total"], [e["name"] for e in page["items"]]) == (3, ["广州汽修店"])


@pytest.mark.parametrize(
    ("body_change", "status", "field"),
    [
        ({"uscc": "91110108551385082A"}, 422, "uscc"),  # wrong check character
        ({"uscc": "9111010855138508"}, 422, "uscc"),  # too short
        ({"uscc": "91110108551385O82Q"}, 422, "uscc"),  # letter O is not in the alphabet
        ({"region_code": "999999"}, 422, "region_code"),
        ({"region_code": "4401"}, 400, "region_code"),
        ({"name": ""}, 400, "name"),
        ({"verified": "yes"}, 400, "verified"),
        ({"unexpected": 1}, 400, "unexpected"),
    ],
)
def test_bad_input_names_the_field(
    client: httpx.Client, regions: None, body_change: dict[str, object], status: int, field: str
) -> None:
    body = {"name": "广州数控设备有限公司", "uscc": USCC, **body_change}
    response = client.post("/employers", json=body)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.json()["detail"]
    assert client.get("/employers").json()["total"] == 0


def test_check_digit_message_is_clear(client: httpx.Client, regions: None) -> None:
    problem = client.post("/employers", json={"name": "x", "uscc": "91110108551385082A"}).json()
    assert problem["errors"] == [{"field": "uscc", "message": problem["errors"][0]["message"], "code": "uscc_checksum"}]
    assert "check character" in problem["errors"][0]["message"]


def test_duplicate_uscc_is_409_on_create_and_update(client: httpx.Client, regions: None) -> None:
    first = client.post("/employers", json={"name": "甲公司", "uscc": USCC}).json()
    duplicate = client.post("/employers", json={"name": "乙公司", "uscc": USCC.lower()})
    assert duplicate.status_code == 409, duplicate.text
    assert "uscc" in duplicate.json()["detail"]
    second = client.post("/employers", json={"name": "乙公司", "uscc": OTHER_USCC})
    assert second.status_code == 201, second.text
    clash = client.patch(f"/employers/{second.json()['id']}", json={"uscc": USCC})
    assert clash.status_code == 409
    assert client.get(f"/employers/{second.json()['id']}").json()["uscc"] == OTHER_USCC
    # an employer may keep (re-send) its own code
    assert client.patch(f"/employers/{first['id']}", json={"uscc": USCC, "name": "甲"}).status_code == 200


def test_bad_uscc_on_update_changes_nothing(client: httpx.Client, regions: None) -> None:
    employer = client.post("/employers", json={"name": "甲公司", "uscc": USCC}).json()
    response = client.patch(f"/employers/{employer['id']}", json={"name": "新名字", "uscc": "91110108551385082A"})
    assert response.status_code == 422
    assert client.get(f"/employers/{employer['id']}").json()["name"] == "甲公司"


def test_unknown_employer_is_404(client: httpx.Client, regions: None) -> None:
    missing = client.get("/employers/987654")
    assert missing.status_code == 404
    assert missing.json()["detail"] == "employer 987654 not found"
    assert client.patch("/employers/987654", json={"name": "x"}).status_code == 404


def test_malformed_json_is_400(client: httpx.Client, regions: None) -> None:
    response = client.post("/employers", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    response = client.patch("/employers/1", content=b"[", headers={"content-type": "application/json"})
    assert response.status_code == 400


def test_employer_names_are_stored_without_invisible_characters(client: httpx.Client, regions: None) -> None:
    """Employer names follow the one rule for names (service.inputs.clean_name) on create and on
    update; a name of invisible characters only is refused (422 on ``name``) and changes nothing."""
    created = client.post("/employers", json={"name": "广州\u200b数控\u00ad设备有限公司", "region_code": "440100"})
    assert created.status_code == 201, created.text
    employer = created.json()
    assert employer["name"] == "广州数控设备有限公司"
    renamed = client.patch(f"/employers/{employer['id']}", json={"name": "\ufeff广州数控\u2066集团"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["name"] == "广州数控集团"
    for response in (
        client.post("/employers", json={"name": "\u200b \u200d"}),
        client.patch(f"/employers/{employer['id']}", json={"name": "\u2060"}),
    ):
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == "name"
    assert client.get(f"/employers/{employer['id']}").json()["name"] == "广州数控集团"
