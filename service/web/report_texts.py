"""The report figures' words on the dashboard pages in the reader's language.

A report (:func:`service.reports.build.build_report`) carries its definitions and row labels in
Chinese first with English after (the API's and the exports' text, unchanged). The pages show
only the reader's language: the rates' names and definitions, the rules (who is counted, small
numbers, rounding, which destination counts, unrecorded facts, salary bands), the row labels that
are words rather than names (合计, ``2025届``, 男/女, 困难群体, 专业未登记, a city "not broken down to
counties") and the salary bands. Place, school and major names are data and stay as recorded.
Sources of the definitions: :mod:`service.reports.definitions`.
"""

from __future__ import annotations

import gettext
from typing import Any

from service.reports.build import COUNTY_NOT_GIVEN
from service.reports.definitions import MAX_UNKNOWN_SHARE, RATES
from service.web.common import N_

#: rate → (Chinese name, Chinese definition, English name, English definition).
RATE_TEXTS: dict[str, tuple[str, str, str, str]] = {
    "employment_rate": (
        "就业率",
        "(直接就业 + 升学) / 毕业生数 (中职口径)",
        "Employment rate",
        "(directly employed + further study) / graduates (the MOE's definition for secondary vocational schools)",
    ),
    "placement_rate": (
        "毕业去向落实率",
        "(直接就业 + 升学 + 出国出境) / 毕业生数",
        "Placement rate",
        "(directly employed + further study + abroad) / graduates",
    ),
    "in_field_rate": (
        "对口就业率",
        "对口就业 / 直接就业(不含应征义务兵); 对口未确定计为不对口",
        "In-field employment rate",
        "employed in the field of their major / employed in jobs (directly employed except "
        "conscripts); unknown counts as not in the field",
    ),
    "further_study_rate": ("升学率", "升学 / 毕业生数", "Further-study rate", "further study / graduates"),
    "local_rate": (
        "本地就业率",
        "就业地与学校在同一地级市 (GB/T 2260 前4位) / 直接就业(不含应征义务兵); 地点未知计为非本地",
        "Local employment rate",
        "working in the school's prefecture-level city (first 4 digits of the "
        "GB/T 2260 code) / employed in jobs; an unknown place counts as not local",
    ),
    "labour_contract_rate": (
        "劳动合同签订率",
        "签订劳动合同 / 直接就业(不含应征义务兵); 未记录者超过分母一半时本率显示为未知",
        "Labour contract rate",
        "with a labour contract / employed in jobs; unknown when over half are unrecorded",
    ),
    "social_insurance_rate": (
        "社会保险缴纳率",
        "缴纳社会保险 / 直接就业(不含应征义务兵); 未记录不计为未缴, 未记录者超过分母一半时本率显示为未知",
        "Social insurance rate",
        "insured / employed in jobs; unrecorded is not 'no'; unknown when over half are unrecorded",
    ),
    "nace_knowledge_rate": (
        "NACE去向知晓率",
        "(毕业生数 − 去向未知) / 毕业生数",
        "NACE knowledge rate",
        "(graduates − destination unknown) / graduates",
    ),
    "nace_career_outcomes_rate": (
        "NACE职业成果率",
        "(就业 + 升学 + 出国出境) / (毕业生数 − 去向未知 − 暂不就业)",
        "NACE career outcomes rate",
        "(employed + further study + abroad) / (graduates − unknown − not seeking)",
    ),
    "q2_employment_rate": (
        "毕业后第2季度就业率",
        "毕业所在季度后第2个日历季度内任一天直接就业 / 该季度已结束的毕业生 (WIOA)",
        "Employment rate, 2nd quarter after graduation",
        "directly employed on any day of the 2nd "
        "calendar quarter after the quarter of graduation / graduates whose quarter has ended (WIOA)",
    ),
    "q4_employment_rate": (
        "毕业后第4季度就业率",
        "毕业所在季度后第4个日历季度内任一天直接就业 / 该季度已结束的毕业生 (WIOA)",
        "Employment rate, 4th quarter after graduation",
        "directly employed on any day of the 4th "
        "calendar quarter after the quarter of graduation / graduates whose quarter has ended (WIOA)",
    ),
}
assert set(RATE_TEXTS) == set(RATES), "every rate has its texts in both languages"

#: rule → (Chinese, English); the English halves of service.reports.definitions' rules.
RULE_TEXTS: dict[str, tuple[str, str]] = {
    "denominator": (
        "分母为所选届别、毕业日期不晚于统计日的中职毕业生 (有学校); 在校生、其他届别、无毕业日期者不计入.",
        "The denominator is the cohort's secondary vocational graduates (with a school) whose graduation "
        "date is on or before the as-of date; students, other cohorts and graduates without a "
        "graduation date are not counted.",
    ),
    "rounding": (
        "百分比由未取整的人数计算, 四舍五入保留1位小数; 起薪中位数四舍五入到元.",
        "Rates are computed from exact counts and rounded half up to 0.1 percentage point; the median "
        "salary to the nearest yuan. Rounded rates need not add up to 100.",
    ),
    "suppression": (
        "小格抑制: 人数为 1 至 阈值−1 的格子不公布; 若一个加总关系中只有一个格子被抑制, 再抑制同一关系中最小的非零格子; "
        "再以整数规划对所有公布关系做精确审核并补充抑制, 直至任何被抑制的非零格子都推不出唯一值, 小格的可能范围不小于阈值; "
        "不同阈值的发布版合在一起也推不出更多; 涉及被抑制格子的比率不公布. 阈值 = {threshold}.",
        "Counts from 1 to threshold−1 are not published; when an additive relation of the report "
        "(a row's destinations, the groups of a total) has exactly one hidden cell, its smallest "
        "non-zero cell is hidden too; then an exact audit of every published relation hides more until "
        "no hidden count can be worked out and every small count could be anything over a range at least "
        "the threshold wide, also when publications at several thresholds are combined; rates using a "
        "hidden cell are not published. Threshold = {threshold}.",
    ),
    "internal": (
        "内部视图: 精确人数, 未做小格抑制, 仅供可查看这些毕业生记录的人员 (本校教职工 / 本地区主管部门) 使用, 不得对外发布; "
        "对外发布请使用发布版.",
        "Internal view: exact counts, no small-cell suppression, for the people who may read these "
        "graduates' records only (the school's staff, the region's department); do not publish — use the "
        "publish view for anything that leaves that circle.",
    ),
    "precedence": (
        "每名毕业生在每个指标中只计一次: 取截至统计日已发生、未被本人异议的去向中发生日期最晚者; 同日按来源 "
        "平台录用 > 学校跟踪调查 > 名册导入 > 本人填报, 再按登记时间; 对口以学校最近一次更正为准; 实习/见习不是去向, 不取代任何其他去向, 仅在别无记录时计为待就业.",
        "Each graduate counts once in each figure: the latest undisputed destination on or before the "
        "as-of date; same-day ties by source (platform hire > school survey > roster import > "
        "self-report), then by recording time; in-field as the school last corrected it; an internship is "
        "not a destination, never replaces another one and counts as seeking work only when nothing else "
        "is recorded.",
    ),
    "unknown": (
        f'未记录不等于"否": 劳动合同、社会保险是记录的事实, 未记录者单列, 不计入"未签"/"未缴"; 若分母中未记录者超过 '
        f'{MAX_UNKNOWN_SHARE:.0%}, 该比率显示为"未知" (不是被抑制).',
        f"An unrecorded labour contract or social insurance is not a 'no': it is counted apart; when more "
        f"than {MAX_UNKNOWN_SHARE:.0%} of a rate's denominator is unrecorded, the rate is shown as unknown "
        "(not suppressed).",
    ),
    "salary_bands": (
        "起薪分段按月薪 (元/月, 整数) 分段, 含上限: 如 2001–3000元 含 2001 和 3000 元; 分段上限为设置 "
        "VOCMATCH_REPORT_SALARY_BANDS.",
        "Monthly starting salaries (whole yuan) by band, upper edge included: 2,001–3,000 yuan includes "
        "2,001 and 3,000; the edges are the setting VOCMATCH_REPORT_SALARY_BANDS.",
    ),
}

#: Words in row labels (msgids); Chinese readers see the report's own label.
TOTAL = N_("Total")
COHORT = N_("%(year)s cohort")
GENDER = {"male": N_("Male"), "female": N_("Female"), "unknown": N_("Gender unknown")}
DISADVANTAGED = {
    "yes": N_("Disadvantaged group"),
    "no": N_("Not in a disadvantaged group"),
    "unrecorded": N_("Not recorded"),
}
MAJOR_UNRECORDED = N_("Major not recorded")
COUNTY_SUFFIX = N_("%(city)s (not broken down to counties)")


def _zh(locale: str) -> bool:
    return locale.startswith("zh")


def rate_name(locale: str, key: str) -> str:
    texts = RATE_TEXTS[key]
    return texts[0] if _zh(locale) else texts[2]


def rate_definition(locale: str, key: str) -> str:
    texts = RATE_TEXTS[key]
    return texts[1] if _zh(locale) else texts[3]


def rule(locale: str, key: str, threshold: Any = None) -> str:
    """One rule of :data:`RULE_TEXTS` in the reader's language (``suppression`` with the threshold;
    the internal view's note when there is none)."""
    if key == "suppression" and threshold is None:
        key = "internal"
    text = RULE_TEXTS[key][0 if _zh(locale) else 1]
    return text.replace("{threshold}", str(threshold)) if key == "suppression" else text


def row_label(tr: gettext.GNUTranslations, locale: str, breakdown: str, key: Any, label: str) -> str:
    """A breakdown row's label: the report's (Chinese) for Chinese readers; otherwise the words in
    the reader's language and the names (places, schools, majors) as recorded."""
    if _zh(locale):
        return label
    text = str(key)
    if breakdown == "total":
        return tr.gettext(TOTAL)
    if breakdown == "cohort":
        return tr.gettext(COHORT) % {"year": key}
    if breakdown == "gender" and text in GENDER:
        return tr.gettext(GENDER[text])
    if breakdown == "disadvantaged" and text in DISADVANTAGED:
        return tr.gettext(DISADVANTAGED[text])
    if breakdown == "major" and text == "-":
        return tr.gettext(MAJOR_UNRECORDED)
    if breakdown == "county" and text.endswith("*") and label.endswith(COUNTY_NOT_GIVEN):
        return tr.gettext(COUNTY_SUFFIX) % {"city": label[: -len(COUNTY_NOT_GIVEN)]}
    return label


def band_label(locale: str, band: dict[str, Any]) -> str:
    """A salary band: the report's ``2001–3000元`` for Chinese readers, ``2,001–3,000 yuan`` otherwise."""
    if _zh(locale):
        return str(band["label"])
    low, high = band["from"], band["to"]
    if high is None:
        return f"{low:,} yuan and above"
    if low == 0:
        return f"up to {high:,} yuan"
    return f"{low:,}–{high:,} yuan"


RULE_TEXTS["trend"] = (
    "近五届趋势: 每届按同一统计时点计算 (所选统计日往前推相应年数, 如 2025届 统计日 2025-12-31, 2024届 "
    "2024-12-31), 口径与当届报告相同.",
    "Trend: each cohort as of the same point of its year (the as-of date moved back by the "
    "cohort's distance, e.g. 2025 cohort as of 2025-12-31, 2024 cohort as of 2024-12-31), with "
    "the same definitions as the cohort's report, so cohorts are compared like with like.",
)


def annual_title(tr: gettext.GNUTranslations, locale: str, annual: dict[str, Any]) -> str:
    """The annual report's title: the report's own for Chinese readers, else in the reader's language."""
    if _zh(locale):
        return str(annual["title"])
    return tr.gettext(
        N_("%(scope)s: annual report on the employment of the %(year)s secondary vocational graduates")
    ) % {"scope": annual["scope_name"], "year": annual["cohort"]}


def jinja_globals() -> dict[str, Any]:
    """The functions above for templates, reading ``locale`` and ``tr`` from the page's context."""
    from jinja2 import pass_context

    def wrap(fn: Any, with_tr: bool) -> Any:
        @pass_context
        def call(ctx: Any, *args: Any) -> Any:
            return fn(ctx["tr"], ctx["locale"], *args) if with_tr else fn(ctx["locale"], *args)

        return call

    return {
        "rate_name": wrap(rate_name, False),
        "rate_definition": wrap(rate_definition, False),
        "report_rule": wrap(rule, False),
        "row_label": wrap(row_label, True),
        "band_label": wrap(band_label, False),
        "annual_title": wrap(annual_title, True),
    }
