"""Recommendation reasons in plain words, e.g. "匹配 5/6 项要求技能；缺少：电工证；薪资 5000–7000元/月
满足你的最低要求" — built from :class:`service.recommendations.schemas.Reasons`, in the page's language.

The wording comes from the gettext catalogues (``service/web/locale``); nothing here is shown untranslated.
"""

from __future__ import annotations

import gettext

from service.recommendations.schemas import PostingSummary, Reasons


def join_list(tr: gettext.GNUTranslations, items: list[str]) -> str:
    """Items joined with the language's list separator (、 in Chinese, ", " in English)."""
    return tr.gettext("LIST_SEPARATOR").join(items)


def salary_text(tr: gettext.GNUTranslations, low: int | None, high: int | None) -> str | None:
    """A monthly salary range (元/月) in words, or ``None`` when neither bound is known."""
    if low is not None and high is not None and low != high:
        return tr.gettext("%(low)s–%(high)s yuan/month") % {"low": low, "high": high}
    if low is not None or high is not None:
        return tr.gettext("%(amount)s yuan/month") % {"amount": low if low is not None else high}
    return None


def reason_phrases(
    tr: gettext.GNUTranslations, reasons: Reasons, posting: PostingSummary, min_salary: int | None
) -> list[str]:
    """The reasons of one recommendation as short phrases, most telling first: required skills
    matched (``n/total``), what is missing (skills and certificates), certificates held,
    location (a posting in the graduate's province names the province, then the city), salary
    against the graduate's minimum (``min_salary`` 元/月), education, major."""
    phrases: list[str] = []
    total = len(reasons.matched_skills) + len(reasons.missing_skills)
    if total:
        phrases.append(
            tr.gettext("matches %(n)d/%(total)d required skills") % {"n": len(reasons.matched_skills), "total": total}
        )
    missing = reasons.missing_skills + reasons.missing_certificates
    if missing:
        phrases.append(tr.gettext("missing: %(items)s") % {"items": join_list(tr, missing)})
    if reasons.matched_certificates:
        phrases.append(
            tr.gettext("holds the certificates: %(items)s") % {"items": join_list(tr, reasons.matched_certificates)}
        )
    place = posting.city or posting.province
    if posting.province and posting.city and posting.city != posting.province:
        in_province = tr.gettext("in your province (%(province)s), %(city)s") % {
            "province": posting.province,
            "city": posting.city,
        }
    else:
        in_province = tr.gettext("in your province (%(place)s)") % {"place": posting.province or place or "?"}
    location = {
        "same_city": tr.gettext("in your city"),
        "same_province": in_province,
        "preferred": tr.gettext("in a place you prefer (%(place)s)") % {"place": place or "?"},
        "elsewhere": tr.gettext("elsewhere (%(place)s)") % {"place": place or "?"},
    }.get(reasons.location)
    if location:
        phrases.append(location)
    salary = salary_text(tr, posting.salary_min_monthly, posting.salary_max_monthly)
    if reasons.salary_fit == "meets" and salary:
        phrases.append(tr.gettext("salary %(salary)s meets your minimum") % {"salary": salary})
    elif reasons.salary_fit == "below" and salary:
        phrases.append(
            tr.gettext("salary %(salary)s is below your minimum of %(minimum)s yuan/month")
            % {"salary": salary, "minimum": min_salary if min_salary is not None else "?"}
        )
    elif salary:
        phrases.append(tr.gettext("salary %(salary)s") % {"salary": salary})
    if reasons.education_met is False:
        phrases.append(tr.gettext("asks for more schooling than you have"))
    if reasons.in_field:
        phrases.append(tr.gettext("fits your major"))
    return phrases


def sentence(tr: gettext.GNUTranslations, phrases: list[str]) -> str:
    """Phrases joined into one line with the language's separator (；in Chinese, "; " in English)."""
    return tr.gettext("PHRASE_SEPARATOR").join(phrases)


def candidate_phrases(tr: gettext.GNUTranslations, reasons: Reasons) -> list[str]:
    """The mirrored reasons of one candidate, worded for the employer: required skills the
    candidate has (``n/total``), what they lack, certificates held, location, salary expectation."""
    phrases: list[str] = []
    total = len(reasons.matched_skills) + len(reasons.missing_skills)
    if total:
        phrases.append(
            tr.gettext("has %(n)d/%(total)d required skills") % {"n": len(reasons.matched_skills), "total": total}
        )
    missing = reasons.missing_skills + reasons.missing_certificates
    if missing:
        phrases.append(tr.gettext("lacks: %(items)s") % {"items": join_list(tr, missing)})
    if reasons.matched_certificates:
        phrases.append(
            tr.gettext("holds the certificates: %(items)s") % {"items": join_list(tr, reasons.matched_certificates)}
        )
    location = {
        "same_city": tr.gettext("lives in the posting's city"),
        "same_province": tr.gettext("lives in the posting's province"),
        "preferred": tr.gettext("would like to work there"),
    }.get(reasons.location)
    if location:
        phrases.append(location)
    if reasons.salary_fit == "meets":
        phrases.append(tr.gettext("the pay meets their minimum"))
    elif reasons.salary_fit == "below":
        phrases.append(tr.gettext("the pay is below their minimum"))
    if reasons.in_field:
        phrases.append(tr.gettext("their major fits the job"))
    return phrases
