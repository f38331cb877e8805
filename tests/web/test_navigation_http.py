"""Navigation polish found in the walk-through (issue 16, "Sessions and polish"), over real HTTP on
both databases: the language switch keeps the path and the query, a signed-out visit keeps the
query for after sign-in, an unknown ``/web/…`` path is the HTML 404 page, and a signed-in page tells
``static/session.js`` when its access token runs out."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.web.conftest import PASSWORD, World, sign_in


def _lang_links(html: str) -> list[str]:
    return [unescape(h) for h in re.findall(r'<a href="([^"]*)" lang="(?:en|zh-Hans)" hreflang=', html)]


def test_language_switch_keeps_path_and_query(web: httpx.Client, world: World) -> None:
    sign_in(web, world.logins["graduate_a"])
    page = web.get("/web/jobs", params={"q": "数控 车床", "page": "2"})
    [link] = _lang_links(page.text)
    parts = urlsplit(link)
    assert parts.path == "/web/jobs"
    assert parse_qs(parts.query) == {"q": ["数控 车床"], "page": ["2"], "lang": ["en"]}
    english = web.get(link)
    [back] = _lang_links(english.text)
    assert parse_qs(urlsplit(back).query) == {
        "q": ["数控 车床"],
        "page": ["2"],
        "lang": ["zh_Hans"],
    }  # one lang, not two


def test_signed_out_visit_keeps_the_query_for_after_sign_in(web: httpx.Client, world: World) -> None:
    response = web.get("/web/jobs", params={"q": "数控", "region": "440100"})
    assert response.status_code == 303
    next_ = parse_qs(urlsplit(response.headers["location"]).query)["next"]
    assert urlsplit(next_[0]).path == "/web/jobs"
    assert parse_qs(urlsplit(next_[0]).query) == {"q": ["数控"], "region": ["440100"]}
    form = web.get(response.headers["location"])
    assert f'name="next" value="{next_[0].replace("&", "&amp;")}"' in form.text  # the form posts it back
    signed_in = web.post(
        "/web/sign-in",
        data={
            "login": world.logins["graduate_a"],
            "password": PASSWORD,
            "next": next_[0],
            "_csrf_token": web.cookies["vocmatch_csrf"],
        },
    )
    assert signed_in.status_code == 303
    assert parse_qs(urlsplit(signed_in.headers["location"]).query) == {"q": ["数控"], "region": ["440100"]}


def test_unknown_web_path_is_the_html_404_page(web: httpx.Client, world: World) -> None:
    for who in ("anonymous", "graduate_a"):
        if who != "anonymous":
            sign_in(web, world.logins[who])
        response = web.get("/web/no-such/page?x=1")
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert "<html" in response.text and "未找到" in response.text
    assert "Not found" in web.get("/web/nope", params={"lang": "en"}).text
    assert web.get("/web/static/nope.css").status_code == 404  # static files keep their own answer
    assert web.get("/no-such-api").headers["content-type"].startswith("application/problem+json")  # the API too


def test_signed_in_pages_carry_the_session_expiry(web: httpx.Client, world: World) -> None:
    assert "data-session-expires-in" not in web.get("/web/sign-in").text  # nobody to keep signed in
    sign_in(web, world.logins["graduate_a"])
    body = re.search(r"<body[^>]*>", web.get("/web/jobs").text)
    assert body is not None
    expires_in = int(re.search(r'data-session-expires-in="(\d+)"', body.group(0)).group(1))
    ttl = int(re.search(r'data-session-ttl="(\d+)"', body.group(0)).group(1))
    assert ttl == 900 and 880 <= expires_in <= 900
    assert 'src="/web/static/session.js"' in web.get("/web/jobs").text
    assert web.get("/web/static/session.js").status_code == 200
