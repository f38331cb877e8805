"""JobPosting property values in their several shapes: salary, dates, lenient JSON, places, types, text."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from scrapers.jobposting.dates import DateError, closing_instant, local_date, parse_when
from scrapers.jobposting.lenient import LenientJSONError, loads_lenient
from scrapers.jobposting.salary import parse_base_salary
from scrapers.jobposting.text import clean_line, html_to_text
from scrapers.jobposting.values import education, employment_types, experience, main_employment_type, places, text_of
from scrapers.urls import canonical_url
from vocab import EducationLevel, EmploymentType, SalaryPeriod

M, Y, D, H, W = SalaryPeriod.MONTH, SalaryPeriod.YEAR, SalaryPeriod.DAY, SalaryPeriod.HOUR, SalaryPeriod.WEEK
SH = ZoneInfo("Asia/Shanghai")


def _qv(**kw: object) -> dict[str, object]:
    return {"@type": "QuantitativeValue", **kw}


def _ma(value: object, **kw: object) -> dict[str, object]:
    return {"@type": "MonetaryAmount", "currency": "CNY", "value": value, **kw}


@pytest.mark.parametrize(
    ("value", "low", "high", "period", "monthly"),
    [
        # a MonetaryAmount whose value is a QuantitativeValue, unitText inside
        (_ma(_qv(minValue=6000, maxValue=9000, unitText="MONTH")), 6000, 9000, M, (6000, 9000)),
        (_ma(_qv(minValue="4500", maxValue="6,500", unitText="month")), 4500, 6500, M, (4500, 6500)),
        (_ma(_qv(value=120000, unitText="YEAR")), 120000, 120000, Y, (10000, 10000)),
        (_ma(_qv(minValue=20, maxValue=25, unitText="HOUR")), 20, 25, H, (3480, 4350)),
        # unitText on the outer object
        (_ma(_qv(minValue=150, maxValue=200), unitText="DAY"), 150, 200, D, (3262, 4350)),
        (_ma(_qv(value="1500"), unitText="WEEK"), 1500, 1500, W, (6500, 6500)),
        (_ma(8000, unitText="MONTH"), 8000, 8000, M, (8000, 8000)),
        (_ma("8000", unitText="MONTHLY"), 8000, 8000, M, (8000, 8000)),
        (_ma("6000-8000", unitText="MONTH"), 6000, 8000, M, (6000, 8000)),
        (_ma("6000 ~ 8000", unitText="per month"), 6000, 8000, M, (6000, 8000)),
        # inner wins over outer
        (_ma(_qv(value=200, unitText="DAY"), unitText="MONTH"), 200, 200, D, (4350, 4350)),
        # minValue/maxValue directly on the MonetaryAmount
        (
            {"@type": "MonetaryAmount", "currency": "CNY", "minValue": 5000, "maxValue": 7000, "unitText": "MONTH"},
            5000,
            7000,
            M,
            (5000, 7000),
        ),
        # a Chinese salary text as the value: the text parser reads it, period included
        (_ma("6-9K"), 6000, 9000, M, (6000, 9000)),
        (_ma("1-1.5万/月"), 10000, 15000, M, (10000, 15000)),
        ("10-20万/年", 100000, 200000, Y, (8333, 16667)),
    ],
)
def test_base_salary_forms(
    value: object, low: float, high: float, period: SalaryPeriod, monthly: tuple[int, int]
) -> None:
    salary, warnings = parse_base_salary(value)
    assert warnings == []
    assert (salary.minimum, salary.maximum, salary.period) == (low, high, period)
    assert (salary.min_monthly, salary.max_monthly) == monthly


@pytest.mark.parametrize(
    ("value", "low", "high"),
    [
        (6000, 6000, 6000),
        ("6000", 6000, 6000),
        ("6,000.50", 6000.5, 6000.5),
        ("5000-7000", 5000, 7000),
        (_ma(_qv(minValue=5000, maxValue=7000)), 5000, 7000),
    ],
)
def test_numbers_without_unit_text_keep_amounts_but_no_period(value: object, low: float, high: float) -> None:
    salary, warnings = parse_base_salary(value)
    assert (salary.minimum, salary.maximum, salary.period, salary.max_monthly) == (low, high, None, None)
    assert len(warnings) == 1 and "period not guessed" in warnings[0]


@pytest.mark.parametrize(
    ("value", "low", "high", "period", "monthly"),
    [
        # a salary text with unitText on the outer object
        (_ma("25-38万", unitText="YEAR"), 250000, 380000, Y, (20833, 31667)),
        (_ma("150-200元", unitText="DAY"), 150, 200, D, (3262, 4350)),
        (_ma("30-45元", unitText="HOUR"), 30, 45, H, (5220, 7830)),
        (_ma("1500-2000元", unitText="WEEK"), 1500, 2000, W, (6500, 8667)),
        # … and on the inner QuantitativeValue
        (_ma(_qv(value="25-38万", unitText="YEAR")), 250000, 380000, Y, (20833, 31667)),
        (_ma(_qv(value="150-200元", unitText="DAY")), 150, 200, D, (3262, 4350)),
        (_ma(_qv(value="10-15万"), unitText="YEAR"), 100000, 150000, Y, (8333, 12500)),
        (_ma(_qv(value="2-3万", unitText="ANNUAL"), unitText="MONTH"), 20000, 30000, Y, (1667, 2500)),
    ],
)
def test_salary_text_with_a_period(
    value: object, low: float, high: float, period: SalaryPeriod, monthly: tuple[int, int]
) -> None:
    salary, warnings = parse_base_salary(value)
    assert warnings == [] and salary.currency == "CNY"
    assert (salary.minimum, salary.maximum, salary.period) == (low, high, period)
    assert (salary.min_monthly, salary.max_monthly) == monthly


@pytest.mark.parametrize(
    "value",
    [
        _ma("150-200元", unitText="YEAR"),
        _ma(_qv(value="25-38万", unitText="DAY")),
        _ma("8000-9000元", unitText="HOUR"),
        _ma(_qv(minValue=250000, maxValue=380000, unitText="MONTH")),
        _ma(_qv(value=300, unitText="YEAR")),
        _ma(_qv(value=90000, unitText="WEEK")),
        {"@type": "MonetaryAmount", "currency": "USD", "value": _qv(value=52000, unitText="HOUR")},
    ],
)
def test_implausible_salary_for_its_period_is_unknown_with_a_warning(value: object) -> None:
    salary, warnings = parse_base_salary(value)
    assert salary is not None and not salary.known and salary.max_monthly is None
    assert len(warnings) == 1 and "not plausible" in warnings[0]


def test_salary_oddities() -> None:
    swapped, warnings = parse_base_salary(_ma(_qv(minValue=9000, maxValue=7000, unitText="MONTH")))
    assert (swapped.minimum, swapped.maximum) == (7000, 9000) and "swapped" in warnings[0]
    negotiable, warnings = parse_base_salary(_ma("面议"))
    assert negotiable is not None and not negotiable.known and warnings == [] and negotiable.currency == "CNY"
    odd_unit, warnings = parse_base_salary(_ma(5000, unitText="PIECE"))
    assert odd_unit.period is None and "PIECE" in warnings[0]
    assert parse_base_salary(None) == (None, []) and parse_base_salary("") == (None, [])
    usd, _ = parse_base_salary(
        {"@type": "MonetaryAmount", "currency": "usd", "value": _qv(value=52000, unitText="YEAR")}
    )
    assert usd.currency == "USD" and usd.text == "USD 52000/YEAR"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01", dt.date(2026, 3, 1)),
        ("2026-03-01T18:00:00+08:00", dt.datetime(2026, 3, 1, 18, tzinfo=SH)),
        ("2026-03-01T10:00:00Z", dt.datetime(2026, 3, 1, 18, tzinfo=SH)),
        ("2026-03-01T18:00:00", dt.datetime(2026, 3, 1, 18, tzinfo=SH)),  # naive: service time zone
        ("2026-03-01 18:00", dt.datetime(2026, 3, 1, 18, tzinfo=SH)),
        ("2026年3月1日", dt.date(2026, 3, 1)),
        ("2026/3/1", dt.date(2026, 3, 1)),
        ("March 1, 2026", dt.date(2026, 3, 1)),
        ("01 Mar 2026", dt.date(2026, 3, 1)),
    ],
)
def test_date_forms(value: str, expected: dt.date | dt.datetime) -> None:
    assert parse_when(value) == expected
    assert type(parse_when(value)) is type(expected)


@pytest.mark.parametrize("value", ["", "尽快", "2026-02-30", None, "3月"])
def test_not_dates(value: object) -> None:
    with pytest.raises(DateError):
        parse_when(value)


def test_date_only_valid_through_lasts_to_the_end_of_the_local_day() -> None:
    assert closing_instant(dt.date(2026, 3, 31)) == dt.datetime(2026, 4, 1, tzinfo=SH)
    assert closing_instant(dt.date(2026, 3, 31), "UTC") == dt.datetime(2026, 4, 1, tzinfo=ZoneInfo("UTC"))
    late_utc = dt.datetime(2026, 3, 31, 20, tzinfo=dt.UTC)  # 04:00 next day in Shanghai
    assert local_date(late_utc) == dt.date(2026, 4, 1) and closing_instant(late_utc) == late_utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"a": 1,}', {"a": 1}),
        ('{"a": [1, 2,],}', {"a": [1, 2]}),
        ('{"a": "x\ny"}', {"a": "x\ny"}),
        ('{"a": "x\ny",}', {"a": "x\ny"}),
        ('<!-- {"a": 1} -->', {"a": 1}),
        ('//<![CDATA[\n{"a": 1}\n//]]>', {"a": 1}),
        ('<![CDATA[ <!-- {"a": 1}; --> ]]>', {"a": 1}),
        ('{"a": 1};', {"a": 1}),
        ("{&quot;a&quot;: &quot;b&amp;c&quot;}", {"a": "b&c"}),
        ('[{"a": 1}, {"b": 2},]', [{"a": 1}, {"b": 2}]),
    ],
)
def test_lenient_json(text: str, expected: object) -> None:
    assert loads_lenient(text) == expected


@pytest.mark.parametrize("text", ["", "  ", '{"a": ', "<!-- -->", "not json at all"])
def test_unreadable_json_says_where(text: str) -> None:
    with pytest.raises(LenientJSONError):
        loads_lenient(text)


def test_places_one_or_many() -> None:
    one = places(
        {
            "@type": "Place",
            "address": {
                "addressRegion": "广东省",
                "addressLocality": "深圳市",
                "streetAddress": "南山区科技园",
                "addressCountry": "CN",
            },
        }
    )
    assert [(p.text, p.street, p.country) for p in one] == [("广东省-深圳市", "南山区科技园", "CN")]
    many = places(
        [
            {"address": "上海市浦东新区"},
            {"address": {"addressLocality": "杭州市"}},
            {"address": "上海市浦东新区"},
            {"name": "北京市朝阳区"},
        ]
    )
    assert [p.text for p in many] == ["上海市浦东新区", "杭州市", "北京市朝阳区"]  # duplicate dropped
    us = places(
        {
            "address": {
                "addressLocality": "Brooklyn",
                "addressRegion": "NY",
                "addressCountry": {"@type": "Country", "name": "US"},
            }
        }
    )
    assert (us[0].locality, us[0].region, us[0].country) == ("Brooklyn", "NY", "US")
    assert places(None) == [] and places([]) == []


@pytest.mark.parametrize(
    ("value", "kinds", "main"),
    [
        ("FULL_TIME", [EmploymentType.FULL_TIME], EmploymentType.FULL_TIME),
        (["FULL_TIME", "INTERN"], [EmploymentType.FULL_TIME, EmploymentType.INTERN], EmploymentType.INTERN),
        ("full-time, part-time", [EmploymentType.FULL_TIME, EmploymentType.PART_TIME], EmploymentType.FULL_TIME),
        ("Internship", [EmploymentType.INTERN], EmploymentType.INTERN),
        ("实习", [EmploymentType.INTERN], EmploymentType.INTERN),
        (["兼职"], [EmploymentType.PART_TIME], EmploymentType.PART_TIME),
        ("顶岗实习", [EmploymentType.WORK_PLACEMENT], EmploymentType.WORK_PLACEMENT),
        ("whenever", [], None),
    ],
)
def test_employment_types(value: object, kinds: list[EmploymentType], main: EmploymentType | None) -> None:
    assert employment_types(value) == kinds and main_employment_type(kinds) == main


def test_organisation_education_experience() -> None:
    assert text_of("宏达公司") == "宏达公司"
    assert text_of({"@type": "Organization", "name": "宏达 &amp; 信和"}) == "宏达 & 信和"
    assert text_of([{"@type": "Organization", "legalName": "某某有限公司"}]) == "某某有限公司"
    assert education({"@type": "EducationalOccupationalCredential", "credentialCategory": "associate degree"}) == (
        "associate degree",
        EducationLevel.ASSOCIATE,
    )
    assert education("中专及以上") == ("中专及以上", None)
    assert experience({"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 18})[1] == 2
    assert experience("1年工作经验") == ("1年工作经验", None)


def test_html_and_entities() -> None:
    assert html_to_text("<p>职责</p><ul><li>焊接</li><li>打磨</li></ul>") == "职责\n\n* 焊接\n* 打磨"
    assert html_to_text("第一行<br>第二行<br/><br/><br/>第三行") == "第一行\n第二行\n\n第三行"
    assert html_to_text("&lt;p&gt;包吃住&lt;/p&gt;&lt;p&gt;五险一金&lt;/p&gt;") == "包吃住\n\n五险一金"
    assert html_to_text("纯文本 &amp; 符号") == "纯文本 & 符号"
    assert clean_line("Java&amp;amp;Python &#24037;程师 <b>急招</b>") == "Java&Python 工程师 急招"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example.cn/job/1.html?utm_source=x&utm_medium=y", "https://a.example.cn/job/1.html"),
        ("https://a.example.cn/job?id=7&spm=a.b.c&from=timeline#top", "https://a.example.cn/job?id=7"),
        ("https://a.example.cn/job?b=2&a=1&gclid=zz", "https://a.example.cn/job?a=1&b=2"),
        ("", None),
    ],
)
def test_tracking_parameters_stripped(url: str, expected: str | None) -> None:
    assert canonical_url(url) == expected
