"""How complete a graduate's profile is, measured by what the recommendations can use of it.

Each part of the profile the graduate fills in feeds features of the content ranker
(:data:`matching.features.WEIGHTS`); a part's weight here is the ranker weight it feeds, so the
meter says "how much of the matching your profile can take part in", not an arbitrary count of
boxes. Skills feed the required and preferred skill shares (0.22 + 0.04), wanted jobs and past
internships/jobs the title similarity (0.20, split 0.12/0.08), the "about you" text the TF-IDF
text similarity (0.10), the places the location score (0.20; the home region counts when no place
is named), the minimum salary the salary fit (0.05), the job types the job-type match (0.03),
certificates the required-certificate share (0.06) and the major, from the school's roster, the
对口 (in-field) feature (0.04). Education, recency and popularity need nothing from the graduate.

A profile with none of the *relevance* parts (skills, wanted jobs, internships/jobs, about you,
certificates) gives the ranker nothing to tell its kind of work from another
(:data:`matching.features.RELEVANCE_FEATURES`): its match scores are near 0 % for every job, so the
pages ask for those parts instead of showing such scores.
"""

from __future__ import annotations

from dataclasses import dataclass

from matching.features import WEIGHTS
from service.graduates.models import Graduate

#: Profile part → the ranker weight it feeds (see the module docstring); the major is roster-owned.
PART_WEIGHTS: dict[str, float] = {
    "skills": WEIGHTS["required_skills"] + WEIGHTS["preferred_skills"],
    "desired_titles": WEIGHTS["title"] * 0.6,
    "experiences": WEIGHTS["title"] * 0.4,
    "preferred_locations": WEIGHTS["location"],
    "summary": WEIGHTS["text"],
    "certificates": WEIGHTS["certificates"],
    "min_salary_monthly": WEIGHTS["salary"],
    "major": WEIGHTS["in_field"],
    "preferred_job_types": WEIGHTS["job_type"],
}
#: Parts that tell the ranker what kind of work the graduate does (see the module docstring).
RELEVANCE_PARTS = frozenset({"skills", "desired_titles", "experiences", "summary", "certificates"})
#: Parts only the school's roster fills in.
ROSTER_PARTS = frozenset({"major"})


@dataclass(frozen=True)
class Part:
    """One part of the profile: its name (the form field), its weight and whether it is filled."""

    name: str
    weight: float
    filled: bool

    @property
    def roster_owned(self) -> bool:
        return self.name in ROSTER_PARTS


@dataclass(frozen=True)
class Completeness:
    """The parts of one profile, heaviest first."""

    parts: tuple[Part, ...]

    @property
    def percent(self) -> int:
        """Filled weight over all weight, 0–100, rounded down (100 only when every part is filled)."""
        total = sum(p.weight for p in self.parts)
        return int(100 * sum(p.weight for p in self.parts if p.filled) / total)

    @property
    def missing(self) -> list[Part]:
        """The empty parts the graduate can fill in, heaviest (most useful) first."""
        return [p for p in self.parts if not p.filled and not p.roster_owned]

    @property
    def can_match(self) -> bool:
        """Whether any relevance part is filled (otherwise every match score is about 0 %)."""
        return any(p.filled for p in self.parts if p.name in RELEVANCE_PARTS)


def _filled(g: Graduate) -> dict[str, bool]:
    return {
        "skills": bool(g.skills),
        "desired_titles": bool(g.desired_titles),
        "experiences": bool(g.experiences),
        "preferred_locations": bool(g.preferred_locations or g.region_code or g.city),
        "summary": bool((g.summary or "").strip()),
        "certificates": bool(g.certificates),
        "min_salary_monthly": g.min_salary_monthly is not None,
        "major": g.major_code is not None,
        "preferred_job_types": bool(g.preferred_job_types),
    }


def completeness(g: Graduate) -> Completeness:
    """The :class:`Completeness` of ``g`` (its certificates and experiences loaded)."""
    filled = _filled(g)
    parts = sorted((Part(name, weight, filled[name]) for name, weight in PART_WEIGHTS.items()), key=lambda p: -p.weight)
    return Completeness(tuple(parts))
