"""An employer's change reaches the recommendations through the change feed (issue 18): what a
posting's response and its indexed document show of the employer (its name) follows a rename at the
next request, without waiting for a rebuild of the content index."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from service.employers.models import Employer
from service.graduates.models import Graduate
from service.postings.models import Posting
from tests.harness import LiveServer


async def _seed(session: AsyncSession) -> dict[str, int]:
    employer = Employer(name="华南精工", verified=True)
    session.add(employer)
    await session.flush()
    posting = Posting(title="数控车工", employer_id=employer.id, required_skills=["数控编程"], city="广州")
    graduate = Graduate(name="小李", skills=["数控编程"], desired_titles=["数控车工"], city="广州")
    session.add_all([posting, graduate])
    await session.commit()
    return {"employer": employer.id, "posting": posting.id, "graduate": graduate.id}


def _names(client: httpx.Client, graduate_id: int) -> dict[int, str]:
    r = client.get(f"/graduates/{graduate_id}/recommendations", params={"limit": 5})
    assert r.status_code == 200, r.text
    return {i["posting"]["id"]: i["posting"]["employer_name"] for i in r.json()["items"]}


async def test_an_employer_renamed_through_the_api_shows_its_new_name_at_the_next_recommendation(
    session: AsyncSession, client: httpx.Client, server: LiveServer
) -> None:
    ids = await _seed(session)
    assert _names(client, ids["graduate"]) == {ids["posting"]: "华南精工"}
    r = client.patch(f"/employers/{ids['employer']}", json={"name": "华南精密制造"})
    assert r.status_code == 200, r.text
    # a rename withdraws the verification (an identity field): staff approve the new name again
    r = client.post(f"/employers/{ids['employer']}/verify")
    assert r.status_code == 200, r.text
    assert _names(client, ids["graduate"]) == {ids["posting"]: "华南精密制造"}
    # and the worker's index holds the new name (the learned model's employer features read it there)
    index = server.app.state.ranker_cache.index.holder.current.index
    assert index.job(ids["posting"]).employer_name == "华南精密制造"
