"""schema.org JobPosting property values that come in several shapes → plain values.

* ``jobLocation``: one ``Place`` or a list; ``address`` a ``PostalAddress`` or a string;
  ``addressCountry`` a code, a name or a ``Country``. Every place is kept.
* ``hiringOrganization``: a string or an ``Organization`` (``name``, else ``legalName``).
* ``employmentType``: a string (possibly comma-separated) or a list; ``INTERN``/``INTERNSHIP``/
  ``实习`` make the posting an internship whatever else is listed.
* ``educationRequirements``: a text or an ``EducationalOccupationalCredential`` whose
  ``credentialCategory`` is one of Google's values (``high school``, ``associate degree``,
  ``bachelor degree``, ``postgraduate degree``, ``professional certificate``).
* ``experienceRequirements``: a text or ``OccupationalExperienceRequirements.monthsOfExperience``
  (rounded up to whole years, the minimum a graduate must have).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from scrapers.jobposting.text import clean_line
from vocab import EducationLevel, EmploymentType

_COUNTRIES = {
    "CN": "CN",
    "CHN": "CN",
    "CHINA": "CN",
    "中国": "CN",
    "PRC": "CN",
    "中华人民共和国": "CN",
    "US": "US",
    "USA": "US",
    "UNITED STATES": "US",
    "UNITED STATES OF AMERICA": "US",
    "美国": "US",
}
_EMPLOYMENT = {
    "FULLTIME": EmploymentType.FULL_TIME,
    "全职": EmploymentType.FULL_TIME,
    "PARTTIME": EmploymentType.PART_TIME,
    "兼职": EmploymentType.PART_TIME,
    "CONTRACTOR": EmploymentType.CONTRACTOR,
    "CONTRACT": EmploymentType.CONTRACTOR,
    "合同工": EmploymentType.CONTRACTOR,
    "TEMPORARY": EmploymentType.TEMPORARY,
    "TEMP": EmploymentType.TEMPORARY,
    "临时": EmploymentType.TEMPORARY,
    "SEASONAL": EmploymentType.TEMPORARY,
    "INTERN": EmploymentType.INTERN,
    "INTERNSHIP": EmploymentType.INTERN,
    "实习": EmploymentType.INTERN,
    "PERDIEM": EmploymentType.OTHER,
    "VOLUNTEER": EmploymentType.OTHER,
    "OTHER": EmploymentType.OTHER,
    "顶岗实习": EmploymentType.WORK_PLACEMENT,
    "岗位实习": EmploymentType.WORK_PLACEMENT,
}
_CREDENTIALS = {
    "high school": EducationLevel.SENIOR_SECONDARY,
    "associate degree": EducationLevel.ASSOCIATE,
    "bachelor degree": EducationLevel.BACHELOR,
    "postgraduate degree": EducationLevel.MASTER,
}


@dataclass(frozen=True)
class Place:
    """One job location: ``text`` (for the region resolver, ``广东省-深圳市-南山区``), the street
    address, and the ISO 3166-1 country code when stated."""

    text: str
    street: str | None
    country: str | None
    region: str | None = None  # addressRegion (province, or a state code abroad)
    locality: str | None = None  # addressLocality (city)


def as_list(value: Any) -> list[Any]:
    """``None`` → ``[]``, a list as is, anything else → ``[value]``."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def text_of(value: Any) -> str | None:
    """A property's text: a string, a number, or a node's ``name`` (first of a list); ``None`` if empty."""
    for v in as_list(value):
        if isinstance(v, dict):
            v = v.get("name") or v.get("legalName") or v.get("@value")
        text = clean_line(v) if v is not None else ""
        if text:
            return text
    return None


def country_code(value: Any) -> str | None:
    """``CN``/``China``/``中国``/``{"@type": "Country", "name": "CN"}`` → ``CN``; unknown → ``None``."""
    name = text_of(value)
    if not name:
        return None
    return _COUNTRIES.get(name.upper(), name.upper() if re.fullmatch(r"[A-Za-z]{2}", name) else None)


def places(value: Any) -> list[Place]:
    """Every place of ``jobLocation`` (duplicates dropped, order kept)."""
    found: list[Place] = []
    for place in as_list(value):
        address: Any = place.get("address") if isinstance(place, dict) else place
        if address is None and isinstance(place, dict) and any(k.startswith("address") for k in place):
            address = place  # a PostalAddress given directly as the location
        if isinstance(address, list):
            address = address[0] if address else None
        if isinstance(address, dict):
            parts = [text_of(address.get(k)) for k in ("addressRegion", "addressLocality")]
            street = text_of(address.get("streetAddress"))
            text = "-".join(dict.fromkeys(p for p in parts if p)) or (street or "")
            entry = Place(text, street, country_code(address.get("addressCountry")), parts[0], parts[1])
        else:
            text = text_of(address) or ""
            if not text and isinstance(place, dict):
                text = text_of(place.get("name")) or ""
            entry = Place(text, None, None)
        if entry.text and entry not in found:
            found.append(entry)
    return found


def employment_types(value: Any) -> list[EmploymentType]:
    """Every recognised type in ``employmentType`` (order kept, unknown values skipped)."""
    found: list[EmploymentType] = []
    for v in as_list(value):
        for token in re.split(r"[,，、/;|]", str(v)):
            key = re.sub(r"[\s_\-]+", "", token).upper()
            kind = _EMPLOYMENT.get(key) or _EMPLOYMENT.get(token.strip())
            if kind and kind not in found:
                found.append(kind)
    return found


def main_employment_type(kinds: list[EmploymentType]) -> EmploymentType | None:
    """An internship if any listed type is one, else the first type; ``None`` for none."""
    for kind in kinds:
        if kind.is_internship:
            return kind
    return kinds[0] if kinds else None


def education(value: Any) -> tuple[str | None, EducationLevel | None]:
    """(text for :func:`~scrapers.normalise.education.parse_education`, level if a credential gives it)."""
    for v in as_list(value):
        if isinstance(v, dict):
            category = text_of(v.get("credentialCategory"))
            if category and (level := _CREDENTIALS.get(category.lower())):
                return category, level
            if category:
                return category, None
        elif text := text_of(v):
            return text, None
    return None, None


def experience(value: Any) -> tuple[str | None, int | None]:
    """(text for :func:`~scrapers.normalise.experience.parse_experience`, years if months are given)."""
    for v in as_list(value):
        if isinstance(v, dict):
            months = v.get("monthsOfExperience")
            try:
                years = math.ceil(float(months) / 12) if months is not None else None
            except (TypeError, ValueError):
                years = None
            if years is not None:
                return f"{months} months", years
            if text := text_of(v.get("description")):
                return text, None
        elif text := text_of(v):
            return text, None
    return None, None
