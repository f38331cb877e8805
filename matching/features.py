"""Feature definitions, weights and place keys for the content-based ranker.

Every feature is a score in [0, 1] or unknown (``NaN`` in arrays, absent in
:attr:`matching.documents.Explanation.components`). The ranker's score is the weighted mean of
the *known* features (weights renormalised over them, so missing data is neither agreement nor
disagreement), with the context features scaled down for jobs of little relevance
(:data:`RELEVANCE_GATE`), multiplied by the seeker's profile-completeness confidence, so that a near-empty
profile cannot score high on the strength of the few things it happens to share with a job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from matching.documents import SeekerDoc
from vocab.text import normalise

#: Feature weights (sum 1). Skill and title agreement carry most of the relevance; location
#: weighs as much as the title because 中职 graduates and hourly workers rarely move for a job
#: (a line cook in Newark should see Newark kitchens before Palo Alto ones); the rest are
#: tie-breakers.
WEIGHTS: dict[str, float] = {
    "required_skills": 0.22,  # share of the posting's required skills the seeker has
    "preferred_skills": 0.04,  # share of the preferred (加分) skills
    "certificates": 0.06,  # share of the required certificates held
    "title": 0.20,  # desired/experience titles vs posting title
    "text": 0.10,  # TF-IDF cosine of the whole profile vs title + skills + description
    "location": 0.20,  # see LOCATION_SCORES
    "salary": 0.05,  # posting pays at least the seeker's minimum
    "education": 0.04,  # seeker meets the education requirement
    "job_type": 0.03,  # employment type is one the seeker prefers
    "in_field": 0.04,  # 对口: posting's occupation belongs to the seeker's major
    "recency": 0.01,  # newer postings first
    "popularity": 0.01,  # applications so far, log-scaled
}
FEATURES: tuple[str, ...] = tuple(WEIGHTS)

#: Features saying whether the job is the seeker's kind of work; the others (location, salary,
#: education, job type, recency, popularity) are context that only counts for relevant jobs.
RELEVANCE_FEATURES: frozenset[str] = frozenset(
    {"required_skills", "preferred_skills", "certificates", "title", "text", "in_field"}
)
#: Relevance (weighted mean of the known :data:`RELEVANCE_FEATURES`, 0–1) at and above which the
#: context features count in full; below it they count in proportion (relevance / gate). Without
#: this, a job sharing nothing with the seeker but the city, the pay and the schooling scores as
#: high as the seeker's exact job title in another state (a line cook in Washington was shown
#: "K12 Part Time Faculty - Washington DC" above "Line Cook" in New York on the real board data).
RELEVANCE_GATE = 0.5

#: Location score by relation, in the order the checks are made (first that holds wins).
LOCATION_SCORES: dict[str, float] = {
    "same_city": 1.0,
    "same_province": 0.7,
    "preferred": 0.6,  # in one of the seeker's preferred locations, outside home city/province
    "elsewhere": 0.05,  # same country
    "abroad": 0.0,  # other country (reported as ``elsewhere``)
}

#: Posting age at which the recency score halves (days): 0.5 ** (age / half-life).
RECENCY_HALF_LIFE_DAYS = 30.0
#: A posting paying less than the seeker asks scores (max pay / asked) ** SALARY_SHORTFALL_POWER.
SALARY_SHORTFALL_POWER = 2.0
#: Score when the seeker prefers internships of the other kind (实习 vs 顶岗实习).
RELATED_JOB_TYPE_SCORE = 0.5

#: Profile facets and their share of profile completeness (sum 1).
PROFILE_FACETS: dict[str, float] = {
    "skills": 0.35,  # skills or certificates
    "titles": 0.35,  # desired titles or experience titles
    "location": 0.10,  # home region or preferred locations
    "major": 0.05,
    "summary": 0.05,
    "salary": 0.05,
    "job_types": 0.05,
}
#: Completeness at which confidence reaches 1: skills plus titles (0.7) is a usable profile.
FULL_CONFIDENCE_AT = 0.7
#: Confidence of an empty profile: low, but above 0 so its ranking still follows the job-side
#: features (newer, more popular postings first) instead of collapsing to ties.
CONFIDENCE_FLOOR = 0.1


def profile_completeness(s: SeekerDoc) -> float:
    """Share 0–1 of :data:`PROFILE_FACETS` the seeker has filled in."""
    present = {
        "skills": any(map(str.strip, (*s.skills, *s.certificates))),
        "titles": any(map(str.strip, (*s.desired_titles, *s.experience_titles))),
        "location": bool(s.region_code or s.province or s.city or s.preferred_locations),
        "major": bool(s.major_code or s.major_name),
        "summary": bool(s.summary and s.summary.strip()),
        "salary": s.min_salary_monthly is not None,
        "job_types": bool(s.preferred_job_types),
    }
    return sum(w for name, w in PROFILE_FACETS.items() if present[name])


def confidence(completeness: float) -> float:
    """Multiplier 0–1 on the score: ``FLOOR + (1 - FLOOR) * min(1, completeness / FULL_CONFIDENCE_AT)``."""
    return CONFIDENCE_FLOOR + (1.0 - CONFIDENCE_FLOOR) * min(1.0, completeness / FULL_CONFIDENCE_AT)


# GB/T 2260 province-level codes (first two digits) and their short names.
CN_PROVINCES: dict[str, str] = {
    "11": "北京",
    "12": "天津",
    "13": "河北",
    "14": "山西",
    "15": "内蒙古",
    "21": "辽宁",
    "22": "吉林",
    "23": "黑龙江",
    "31": "上海",
    "32": "江苏",
    "33": "浙江",
    "34": "安徽",
    "35": "福建",
    "36": "江西",
    "37": "山东",
    "41": "河南",
    "42": "湖北",
    "43": "湖南",
    "44": "广东",
    "45": "广西",
    "46": "海南",
    "50": "重庆",
    "51": "四川",
    "52": "贵州",
    "53": "云南",
    "54": "西藏",
    "61": "陕西",
    "62": "甘肃",
    "63": "青海",
    "64": "宁夏",
    "65": "新疆",
    "71": "台湾",
    "81": "香港",
    "82": "澳门",
}
_CN_BY_NAME = {name: code for code, name in CN_PROVINCES.items()}
_CN_MUNICIPALITIES = frozenset({"11", "12", "31", "50"})
# USPS state codes (ANSI INCITS 38) for the states, DC and Puerto Rico.
US_STATES: dict[str, str] = {
    "alabama": "al",
    "alaska": "ak",
    "arizona": "az",
    "arkansas": "ar",
    "california": "ca",
    "colorado": "co",
    "connecticut": "ct",
    "delaware": "de",
    "district of columbia": "dc",
    "florida": "fl",
    "georgia": "ga",
    "hawaii": "hi",
    "idaho": "id",
    "illinois": "il",
    "indiana": "in",
    "iowa": "ia",
    "kansas": "ks",
    "kentucky": "ky",
    "louisiana": "la",
    "maine": "me",
    "maryland": "md",
    "massachusetts": "ma",
    "michigan": "mi",
    "minnesota": "mn",
    "mississippi": "ms",
    "missouri": "mo",
    "montana": "mt",
    "nebraska": "ne",
    "nevada": "nv",
    "new hampshire": "nh",
    "new jersey": "nj",
    "new mexico": "nm",
    "new york": "ny",
    "north carolina": "nc",
    "north dakota": "nd",
    "ohio": "oh",
    "oklahoma": "ok",
    "oregon": "or",
    "pennsylvania": "pa",
    "rhode island": "ri",
    "south carolina": "sc",
    "south dakota": "sd",
    "tennessee": "tn",
    "texas": "tx",
    "utah": "ut",
    "vermont": "vt",
    "virginia": "va",
    "washington": "wa",
    "west virginia": "wv",
    "wisconsin": "wi",
    "wyoming": "wy",
    "puerto rico": "pr",
}
_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
_CODE = re.compile(r"^\d{6}$")


def place_key(name: str | None) -> str:
    """A place name for comparison: normalised, administrative suffix dropped (``广州市`` → ``广州``)."""
    key = normalise(name or "")
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) - len(suffix) >= 2:
            return key[: -len(suffix)]
    return key


def _province_key(country: str, name: str) -> str | None:
    key = place_key(name)
    if not key:
        return None
    if key in _CN_BY_NAME:
        return f"CN:{_CN_BY_NAME[key]}"
    if country == "US" or key in US_STATES:
        key = US_STATES.get(key, key)
    return f"{country}:{key}"


@dataclass(frozen=True, slots=True)
class Place:
    """Comparable keys for one location; any may be ``None`` when unknown."""

    country: str
    province: str | None = None  # "CN:44", "US:nj"
    city_code: str | None = None  # "4401" (GB/T 2260 prefix)
    city_name: str | None = None  # "广州", "newark"
    county: str | None = None  # six-digit county/district code

    @property
    def known(self) -> bool:
        return bool(self.province or self.city_code or self.city_name)


def place(country: str | None, region_code: str | None, province: str | None, city: str | None) -> Place:
    """Keys for a location given by a GB/T 2260 code and/or names (``("US", None, "NJ", "Newark")``)."""
    ctry = (country or "").strip().upper()
    prov_key = city_code = county = None
    code = (region_code or "").strip()
    if _CODE.match(code) and code != "000000":
        ctry = ctry or "CN"
        prov_key = f"CN:{code[:2]}"
        if code[2:4] != "00":
            city_code = code[:4]
        elif code[:2] in _CN_MUNICIPALITIES:
            city_code = code[:2] + "01"
        county = code if code[4:] != "00" else None
    if prov_key is None and province:
        prov_key = _province_key(ctry, province)
    city_name = place_key(city) or None
    if prov_key is None and city_name in _CN_BY_NAME:  # 北京/上海/天津/重庆 given as a city
        prov_key = f"CN:{_CN_BY_NAME[city_name]}"
    if city_code is None and prov_key and prov_key[3:] in _CN_MUNICIPALITIES and prov_key.startswith("CN:"):
        city_code = prov_key[3:] + "01"
    return Place(ctry, prov_key, city_code, city_name, county)


@dataclass(frozen=True, slots=True)
class Preferences:
    """A seeker's preferred locations as key sets (codes at any level, or names)."""

    provinces: frozenset[str] = frozenset()
    city_codes: frozenset[str] = frozenset()
    city_names: frozenset[str] = field(default_factory=frozenset)
    counties: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.provinces or self.city_codes or self.city_names or self.counties)


def preferences(country: str | None, entries: tuple[str, ...]) -> Preferences:
    """Parse preferred locations: ``440000``/``440100``/``440106`` codes, ``广东``, ``广州``, ``Newark, NJ``."""
    ctry = (country or "").strip().upper()
    provinces: set[str] = set()
    cities: set[str] = set()
    names: set[str] = set()
    counties: set[str] = set()
    for raw in entries:
        entry = (raw or "").strip()
        if _CODE.match(entry):
            p = place("CN", entry, None, None)
            if p.county:
                counties.add(p.county)
            elif p.city_code and not entry.endswith("0000"):
                cities.add(p.city_code)
            elif p.province:
                provinces.add(p.province)
            continue
        parts = [x for x in re.split(r"[,，]", entry) if x.strip()]
        if len(parts) >= 2:  # "City, State"
            p = place(ctry, None, parts[-1], parts[0])
            if p.city_name:
                names.add(p.city_name)
            continue
        if not parts:
            continue
        key = place_key(parts[0])
        prov = _province_key(ctry, parts[0])
        if key in _CN_BY_NAME or key in US_STATES or (ctry == "US" and len(key) == 2):
            provinces.add(prov or "")
        elif key:
            names.add(key)
    return Preferences(frozenset(provinces), frozenset(cities), frozenset(names), frozenset(counties))
