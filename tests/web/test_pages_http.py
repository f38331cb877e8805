"""The pages' data paths over real HTTP (httpx on loopback), on SQLite and PostgreSQL: sign-in
cookies, CSRF, role and object checks, and the apply → hire → dashboard flow."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from tests.harness import http_client
from tests.web.conftest import World, csrf, sign_in, text_of


def test_signed_out_pages_redirect_to_sign_in(web: httpx.Client, world: World) -> None:
    response = web.get("/web/jobs")
    assert response.status_code == 303
    assert response.headers["location"] == "/web/sign-in?next=/web/jobs"
    assert web.get("/").headers["location"] == "/web/"
    page = web.get("/web/sign-in")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert '<label for="login">电子邮箱或手机号</label>' in page.text  # Chinese by default, labelled field


def test_wrong_password_rerenders_form_with_401(web: httpx.Client, world: World) -> None:
    web.get("/web/sign-in")
    response = web.post(
        "/web/sign-in",
        data={
            "login": world.logins["graduate_a"],
            "password": "nope nope",
            "_csrf_token": web.cookies["vocmatch_csrf"],
        },
    )
    assert response.status_code == 401
    assert "账号或密码错误" in response.text
    assert "vocmatch_access" not in web.cookies


def test_graduate_sees_reasons_applies_and_sees_status(web: httpx.Client, world: World) -> None:
    response = sign_in(web, world.logins["graduate_a"])
    assert response.headers["location"] == "/web/jobs"
    page = web.get("/web/jobs")
    assert page.status_code == 200, page.text
    text = text_of(page.text)
    assert "数控车床操作工" in text
    assert "匹配 2/3 项要求技能" in text and "缺少：电工、电工证" in text
    assert "薪资 5000–7000元/月 满足你的最低要求" in text
    assert "仓库管理员" not in text  # unverified employer: never shown to graduates
    posting = world.ids["posting_a"]
    detail = web.get(f"/web/jobs/{posting}")
    assert detail.status_code == 200 and 'id="apply-button"' in detail.text
    assert web.get(f"/web/jobs/{world.ids['posting_b']}").status_code == 404
    # no CSRF token: refused, nothing stored
    refused = web.post(f"/web/jobs/{posting}/apply", headers={"HX-Request": "true"})
    assert refused.status_code == 403
    applied = web.post(f"/web/jobs/{posting}/apply", headers=csrf(web))
    assert applied.status_code == 200
    assert "你已投递" in applied.text and "已投递" in applied.text and "<html" not in applied.text
    again = web.post(f"/web/jobs/{posting}/apply", headers=csrf(web))
    assert "你已投递" in again.text  # applying twice shows the existing application
    mine = text_of(web.get("/web/applications").text)
    assert "数控车床操作工" in mine and "已投递" in mine
    # the recommendation list no longer offers what was applied to
    assert "数控车床操作工" not in text_of(web.get("/web/jobs").text)


def test_employer_moves_application_to_hired_and_school_sees_destination(web: httpx.Client, world: World) -> None:
    posting = world.ids["posting_a"]
    sign_in(web, world.logins["graduate_a"])
    assert web.post(f"/web/jobs/{posting}/apply", headers=csrf(web)).status_code == 200
    web.cookies.clear()

    sign_in(web, world.logins["employer_a"])
    postings = text_of(web.get("/web/postings").text)
    assert "数控车床操作工" in postings and "投递 (1)" in postings
    page = web.get(f"/web/postings/{posting}/applications")
    assert page.status_code == 200 and "陈小明" in page.text  # applied: the name may be shown
    application_id = int(page.text.split('data-application-id="')[1].split('"')[0])
    url = f"/web/applications/{application_id}/status"
    assert web.post(url, data={"status": "interview"}).status_code == 403  # no CSRF token
    row = web.post(url, data={"status": "interview"}, headers=csrf(web))
    assert row.status_code == 200 and "面试" in row.text and row.text.lstrip().startswith("<tr")
    # hiring asks for the start date and the agreed pay first (issue 15 item 6)
    hired = web.post(url, data={"status": "hired"}, headers=csrf(web))
    assert hired.headers["HX-Redirect"] == f"/web/applications/{application_id}/hire"
    form = web.get(f"/web/applications/{application_id}/hire")
    assert form.status_code == 200 and "约定月薪" in form.text and "入职日期" in form.text
    done = web.post(
        f"/web/applications/{application_id}/hire",
        data={
            "start_date": dt.date.today().isoformat(),
            "monthly_salary": "5500",
            "contract_type": "other_employment",
            "social_insurance": "yes",
            "_csrf_token": web.cookies["vocmatch_csrf"],
        },
    )
    assert done.status_code == 303 and done.headers["location"] == f"/web/postings/{posting}/applications"
    hired = web.get(done.headers["location"])
    assert "已录用" in hired.text and "已结束" in hired.text
    late = web.post(url, data={"status": "offer"}, headers=csrf(web))
    assert late.status_code == 200 and "当前状态下不能进行这一步" in late.text  # hired is final
    assert "已录用" in late.text
    candidates = web.get(f"/web/postings/{posting}/candidates")
    assert candidates.status_code == 200 and "陈小明" not in candidates.text  # anonymised
    web.cookies.clear()

    sign_in(web, world.logins["school_a"])
    dashboard = web.get("/web/dashboard")
    assert dashboard.status_code == 200, dashboard.text
    latest = text_of(dashboard.text.split('id="latest-destinations"')[1])
    assert "陈小明" in latest and "其他录用形式就业" in latest and "广州数控设备有限公司" in latest
    assert "对口就业率" in dashboard.text and "/reports?scope=school:4144010001" in dashboard.text


def test_other_schools_and_employers_see_nothing_of_it(web: httpx.Client, world: World) -> None:
    posting = world.ids["posting_a"]
    sign_in(web, world.logins["graduate_a"])
    web.post(f"/web/jobs/{posting}/apply", headers=csrf(web))
    web.cookies.clear()
    sign_in(web, world.logins["employer_b"])
    foreign = web.get(f"/web/postings/{posting}/applications")
    assert foreign.status_code == 404 and "陈小明" not in foreign.text
    assert "数控车床操作工" not in web.get("/web/postings").text
    assert web.get("/web/jobs").status_code == 403  # not a graduate's page
    web.cookies.clear()
    sign_in(web, world.logins["school_b"])
    assert "陈小明" not in web.get("/web/dashboard").text
    assert web.get("/web/postings").status_code == 403


def test_sign_out_ends_the_session(web: httpx.Client, world: World) -> None:
    sign_in(web, world.logins["graduate_a"])
    access = web.cookies["vocmatch_access"]
    token = web.cookies["vocmatch_csrf"]
    assert web.post("/web/sign-out", data={"_csrf_token": token}).status_code == 303
    # the old access token no longer works even if kept
    with http_client(base_url=str(web.base_url), cookies={"vocmatch_access": access}) as other:
        assert other.get("/web/jobs").status_code == 303


@pytest.mark.parametrize("how", ["query", "accept-language"])
def test_english_switch(web: httpx.Client, world: World, how: str) -> None:
    if how == "query":
        page = web.get("/web/sign-in?lang=en")
        assert web.cookies.get("vocmatch_lang") == "en"
        assert "E-mail or mobile number" in web.get("/web/sign-in").text  # remembered
    else:
        page = web.get("/web/sign-in", headers={"Accept-Language": "en-GB,en;q=0.9,zh;q=0.5"})
    assert '<html lang="en">' in page.text and "E-mail or mobile number" in page.text
    sign_in(web, world.logins["graduate_a"])
    jobs = text_of(web.get("/web/jobs", headers={"Accept-Language": "en"}).text)
    assert "matches 2/3 required skills" in jobs and "salary 5000–7000 yuan/month meets your minimum" in jobs


def test_department_sees_its_region_rolled_up(web: httpx.Client, world: World) -> None:
    sign_in(web, world.logins["department_a"])
    page = web.get("/web/dashboard")
    assert page.status_code == 200
    assert "/reports?scope=region:440100" in page.text
    assert web.get("/web/roster").status_code == 403  # rosters are the school's


def test_roster_upload_shows_validation_report(web: httpx.Client, world: World) -> None:
    sign_in(web, world.logins["school_a"])
    form = web.get("/web/roster")
    assert form.status_code == 200 and '<label for="roster-file">' in form.text
    content = "学号,姓名,性别,身份证号,毕业时间\n2025001,王五,男,123,2025-06-30\n".encode()
    response = web.post(
        "/web/roster",
        files={"data": ("roster.csv", content, "text/csv")},
        data={"_csrf_token": web.cookies["vocmatch_csrf"]},
    )
    assert response.status_code == 422, response.text
    report = text_of(response.text.split('id="roster-report"')[1])
    assert "未保存任何数据" in report and "身份证号" in report  # the rejected cell's column
    bad = web.post(
        "/web/roster",
        files={"data": ("roster.xlsx", b"not a zip", "application/octet-stream")},
        data={"_csrf_token": web.cookies["vocmatch_csrf"]},
    )
    assert bad.status_code == 422 and 'role="alert"' in bad.text
