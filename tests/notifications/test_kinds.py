"""The event kinds: every kind has its texts in both languages over exactly its params; params are
checked (missing, unknown, wrong values) before anything is stored; links must be local paths."""

from __future__ import annotations

import re
import string

import pytest

from service.notifications.kinds import KINDS, LANGUAGES, Kind, check_params, render, spec_of
from service.notifications.service import check_link

#: A value for every free-text param (labelled params take their first value).
SAMPLE = {
    "posting_title": "数控车床操作工",
    "employer_name": "广州数控设备有限公司",
    "reason": "营业执照信息不一致",
    "starts_at": "2026-12-01T06:30:00+00:00",
    "place": "天河区科韵路 16 号",
    "school_name": "广州市机电技师学校",
    "message": "请在本周内回复",
    "search_name": "广州 数控",
    "count": 3,
    "expires_hours": 48,
    "start_date": "2026-09-01",
    "end_date": "2027-06-30",
    "jobs": "• 数控车床操作工 · 广州数控设备有限公司 · 广州市\n  https://vocmatch.example.cn/web/jobs/7",
    "more": 21,
}


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("kind", list(Kind))
def test_every_kind_has_both_languages_over_its_own_params(kind: Kind) -> None:
    spec = KINDS[kind]
    allowed = set(spec.params) | set(spec.optional)
    for language in LANGUAGES:
        for template in (spec.subject[language], spec.body[language], *(t[language] for t in spec.extra.values())):
            assert _fields(template) <= allowed, f"{kind} {language}: {template!r} uses unknown params"
    params = {
        name: next(iter(spec.labels[name])) if name in spec.labels else SAMPLE[name]
        for name in (*spec.params, *spec.optional)
    }
    zh, en = render(kind, check_params(spec, params), "zh_Hans"), render(kind, params, "en")
    assert zh != en and all(zh) and all(en)
    assert re.search(r"[\u4e00-\u9fff]", zh[0] + zh[1])
    for text in en:  # the English texts are English apart from the params' own (Chinese) values
        leftover = text
        for value in params.values():
            leftover = leftover.replace(str(value), "")
        assert not re.search(r"[\u4e00-\u9fff]", leftover), f"{kind}: Chinese in the English text {text!r}"
    for name, value in params.items():  # every param shows up in some language's text
        shown = spec.labels[name][str(value)]["zh_Hans"] if name in spec.labels else str(value)
        if name.endswith("_at"):
            shown = "2026-12-01 14:30"  # 06:30 UTC in Beijing time
        assert shown in zh[0] + zh[1], f"{kind}: param {name} not in the Chinese text"


def test_render_labels_values_and_appends_extra_lines() -> None:
    subject, body = render(
        Kind.APPLICATION_STATUS_CHANGED,
        {"posting_title": "电工", "employer_name": "甲公司", "status": "rejected"},
        "en",
    )
    assert subject == "Application update: 电工"
    assert body == "Your application to 甲公司 for “电工” is now: not selected."
    _, refused = render(
        Kind.EMPLOYER_VERIFICATION_DECIDED,
        {"employer_name": "乙公司", "decision": "refused", "reason": "信用代码有误"},
        "zh_Hans",
    )
    assert refused.splitlines() == [
        "乙公司的单位审核结果：未通过。",
        "在审核通过之前，你的岗位不会展示给毕业生。请按原因更正单位信息后联系审核人员。",
        "原因：信用代码有误",
    ]
    _, approved = render(Kind.EMPLOYER_VERIFICATION_DECIDED, {"employer_name": "乙公司", "decision": "approved"}, "en")
    assert approved.splitlines() == [
        "The verification of 乙公司: approved.",
        "Your postings are now shown to graduates.",
    ]
    # unknown or missing language: Chinese
    assert render(Kind.FOLLOW_UP_REMINDER, {"school_name": "某校"}, "fr") == render(
        Kind.FOLLOW_UP_REMINDER, {"school_name": "某校"}, None
    )
    # braces in a value are text, never a template
    assert render(Kind.APPLICATION_RECEIVED, {"posting_title": "{status}岗"}, "zh_Hans")[0] == "新投递：{status}岗"


@pytest.mark.parametrize(
    ("kind", "params", "message"),
    [
        (Kind.APPLICATION_RECEIVED, {}, "'posting_title'] are required"),
        (Kind.APPLICATION_RECEIVED, {"posting_title": ""}, "are required"),
        (
            Kind.APPLICATION_RECEIVED,
            {"posting_title": "x", "graduate_name": "陈小明"},
            "unknown params ['graduate_name']",
        ),
        (
            Kind.APPLICATION_STATUS_CHANGED,
            {"posting_title": "x", "employer_name": "y", "status": "lost"},
            "'status' is 'lost'",
        ),
        (
            Kind.EMPLOYER_VERIFICATION_DECIDED,
            {"employer_name": "y", "decision": "accepted"},
            "'decision' is 'accepted'",
        ),
        (Kind.INTERVIEW_REMINDER, {"posting_title": "x", "employer_name": "y", "starts_at": "tomorrow"}, "ISO 8601"),
        (
            Kind.INTERVIEW_REMINDER,
            {"posting_title": "x", "employer_name": "y", "starts_at": "2026-12-01T14:00"},
            "time zone",
        ),
        (Kind.JOB_ALERT_DIGEST, {"search_name": "x", "count": [3]}, "string or a number"),
    ],
)
def test_bad_params_are_refused_naming_kind_and_param(kind: Kind, params: dict, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)) as caught:
        check_params(KINDS[kind], params)
    assert kind.value in str(caught.value)


def test_unknown_kind_and_foreign_links_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown notification kind 'party'.*application_received"):
        spec_of("party")
    assert check_link("/web/applications?x=1") == "/web/applications?x=1"
    for link in ("https://evil.example/", "//evil.example/x", "web/x", "/web/\\evil", "/web/a b", "/web/\r\nX: y"):
        with pytest.raises(ValueError, match="local path"):
            check_link(link)
