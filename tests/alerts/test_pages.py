"""The saved-jobs and job-alert pages over real HTTP on both databases, signed in with the web form:
save and unsave from the job list (htmx) and the job page (plain form), the saved list with a closed
posting marked, "save this search" from /web/jobs, and renaming, pausing, resuming and deleting an
alert — in Chinese and English."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.alerts.models import JobAlert
from service.postings.models import PostingStatus
from tests.alerts.conftest import World, add_posting
from tests.harness import http_client
from tests.web.conftest import csrf, sign_in, text_of


def _form(web: httpx.Client, **fields: str) -> dict[str, str]:
    return {"_csrf_token": web.cookies["vocmatch_csrf"], **fields}


async def test_save_and_unsave_jobs_and_the_saved_list(web: httpx.Client, world: World, session: AsyncSession) -> None:
    closed = await add_posting(session, world.ids["employer_a"], "数控已关闭岗位", status=PostingStatus.CLOSED)
    await session.commit()
    sign_in(web, world.emails["a"])
    posting = world.ids["posting_a"]
    jobs = web.get("/web/jobs", params={"q": "数控"}).text
    assert f'action="/web/jobs/{posting}/save"' in jobs and "☆ 收藏" in jobs
    # htmx from the list: the button comes back pressed
    saved = web.post(f"/web/jobs/{posting}/save", data=_form(web, action="save"), headers=csrf(web))
    assert saved.status_code == 200 and 'aria-pressed="true"' in saved.text and "★ 取消收藏" in saved.text
    # a plain form from the job page: back to the page (or to a local "next"), never elsewhere
    plain = web.post(f"/web/jobs/{closed.id}/save", data=_form(web, next="https://evil.example/"))
    assert plain.status_code == 303 and plain.headers["location"] == f"/web/jobs/{closed.id}"
    assert "★ 取消收藏" in web.get(f"/web/jobs/{closed.id}").text
    hidden = web.post(f"/web/jobs/{world.ids['posting_b']}/save", data=_form(web))
    assert hidden.status_code == 404 and "仓库管理员" not in hidden.text
    page = web.get("/web/saved-jobs")
    text = text_of(page.text)
    assert page.status_code == 200 and "收藏的职位" in text and "已收藏 2 个职位" in text
    assert "数控车床操作工" in text and "数控已关闭岗位" in text and "已关闭" in text
    assert "<table" not in page.text  # cards, for a 375-px screen
    english = text_of(web.get("/web/saved-jobs?lang=en").text)
    assert "Saved jobs" in english and "Closed" in english and "2 saved jobs" in english
    back = web.post(f"/web/jobs/{posting}/save", data=_form(web, action="unsave", next="/web/saved-jobs"))
    assert back.status_code == 303 and back.headers["location"] == "/web/saved-jobs"
    assert "数控车床操作工" not in text_of(web.get("/web/saved-jobs").text)


async def test_save_a_search_and_manage_it(web: httpx.Client, world: World, session: AsyncSession) -> None:
    sign_in(web, world.emails["a"])
    jobs = web.get("/web/jobs", params={"q": "数控", "region": "440100", "min_salary": "4500"}).text
    assert 'action="/web/job-alerts"' in jobs and "保存搜索" in jobs
    assert 'name="region" value="440100"' in jobs and 'name="min_salary" value="4500"' in jobs
    assert 'action="/web/job-alerts"' not in web.get("/web/jobs").text  # no search, nothing to save
    created = web.post("/web/job-alerts", data=_form(web, q="数控", region="440100", min_salary="4500", name=""))
    assert created.status_code == 303 and created.headers["location"].startswith("/web/job-alerts?saved=created")
    alert_id = (await session.execute(select(JobAlert.id))).scalar_one()
    page = text_of(web.get("/web/job-alerts?saved=created").text)
    assert "搜索已保存" in page and "关键词：数控" in page and "地点：广州市" in page and "提醒中" in page
    assert "月薪不低于 4500 元" in page
    for action, fields, shown in (
        ("rename", {"name": "广州数控"}, "广州数控"),
        ("pause", {}, "已暂停"),
        ("resume", {}, "提醒中"),
    ):
        r = web.post(f"/web/job-alerts/{alert_id}", data=_form(web, action=action, **fields))
        assert r.status_code == 303 and r.headers["location"] == f"/web/job-alerts?saved={action}"
        assert shown in text_of(web.get(r.headers["location"]).text)
    blank = web.post(f"/web/job-alerts/{alert_id}", data=_form(web, action="rename", name=" "))
    assert blank.status_code == 422 and "请为搜索起一个名字" in blank.text
    nothing = web.post("/web/job-alerts", data=_form(web, name="空"))
    assert nothing.status_code == 422 and "保存搜索前请至少选择一个筛选条件" in nothing.text
    english = text_of(web.get("/web/job-alerts?lang=en").text)
    assert "Job alerts" in english and "Keywords: 数控" in english and "Pause" in english
    # another graduate sees a 404 page for this alert, and changes nothing
    with http_client(base_url=str(web.base_url), timeout=30) as other:
        sign_in(other, world.emails["b"])
        r = other.post(f"/web/job-alerts/{alert_id}", data=_form(other, action="delete"))
        assert r.status_code == 404 and "广州数控" not in r.text
    deleted = web.post(f"/web/job-alerts/{alert_id}", data=_form(web, action="delete"))
    assert deleted.status_code == 303 and "Search deleted." in text_of(web.get(deleted.headers["location"]).text)
    assert (await session.execute(select(JobAlert.id))).first() is None
