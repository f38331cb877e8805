"""Verification belongs to an identity (issue 14, item 13): a verified employer that changes its
name, 统一社会信用代码 or region is no longer verified (audited) until staff approve it again;
other changes, and "changes" to the same values, keep it. (Before: a verified employer could
rename itself into anyone and keep reaching graduates.)"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import Role
from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.factories import places

USCC = "91440101MA5CYUUX3F"  # valid (GB 32100-2015 check character)
OTHER_USCC = "91440300MA5FG00016"


@pytest.fixture
async def verified(session: AsyncSession) -> dict[str, int]:
    session.add_all(
        [
            *places("440000", "440100", "440106", "440300"),
        ]
    )
    await session.flush()
    employer = Employer(name="广州数控设备有限公司", uscc=USCC, region_code="440106", verified=True)
    graduate = Graduate(name="陈小明")
    session.add_all([employer, graduate])
    await session.flush()
    posting = Posting(title="数控车床操作工", employer_id=employer.id)
    session.add(posting)
    await session.commit()
    return {"employer": employer.id, "graduate": graduate.id, "posting": posting.id}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": "华为技术有限公司"}, "name"),
        ({"uscc": OTHER_USCC}, "uscc"),
        ({"region_code": "440300"}, "region_code"),
    ],
)
def test_changing_an_identity_field_withdraws_verification(
    change: dict[str, str],
    field: str,
    verified: dict[str, int],
    client: httpx.Client,
    client_as: Callable[..., httpx.Client],
) -> None:
    member = client_as(Role.EMPLOYER, employer_id=verified["employer"])
    graduate = client_as(Role.GRADUATE, graduate_id=verified["graduate"])
    assert graduate.get(f"/postings/{verified['posting']}").status_code == 200
    r = member.patch(f"/employers/{verified['employer']}", json=change)
    assert r.status_code == 200, r.text
    assert r.json()["verified"] is False
    assert graduate.get(f"/postings/{verified['posting']}").status_code == 404  # no longer reaches graduates
    [event] = client.get("/audit", params={"object_type": "employer_verification"}).json()["items"]
    assert (event["action"], event["object_id"], event["detail"]) == (
        "update",
        str(verified["employer"]),
        {"verified": False, "changed": [field]},
    )
    # staff approve the new identity again (audited too)
    assert client.post(f"/employers/{verified['employer']}/verify").json()["verified"] is True
    events = client.get("/audit", params={"object_type": "employer_verification"}).json()["items"]
    assert [e["detail"]["verified"] for e in events] == [True, False]
    assert graduate.get(f"/postings/{verified['posting']}").status_code == 200


def test_other_changes_and_the_same_identity_keep_verification(
    verified: dict[str, int], client: httpx.Client, client_as: Callable[..., httpx.Client]
) -> None:
    member = client_as(Role.EMPLOYER, employer_id=verified["employer"])
    spaced = f"{USCC[:9].lower()} {USCC[9:]}"  # normalises to the same code
    for change in (
        {"industry": "制造业", "address": "天河路1号"},
        {"name": "广州数控设备有限公司"},
        {"uscc": spaced, "region_code": "440106"},
    ):
        r = member.patch(f"/employers/{verified['employer']}", json=change)
        assert r.status_code == 200 and r.json()["verified"] is True, (change, r.text)
    assert client.get("/audit", params={"object_type": "employer_verification"}).json()["total"] == 0
