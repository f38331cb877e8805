"""Item pipeline: small steps that normalise, validate and de-duplicate scraped items.

Like Scrapy's item pipelines without the framework: a source yields items (or an
:class:`~scrapers.items.Issue` for a row it could not read at all); each step takes an item
and returns it (changed in place), or raises :class:`~scrapers.items.RejectItem` to drop it
with a reason. A rejected row never stops the run.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from scrapers.dedupe import duplicate_key, extract_reference
from scrapers.items import Issue, Item, PlaceItem, PostingItem, RejectItem, SeekerItem
from scrapers.normalise.education import parse_education
from scrapers.normalise.employment import employment_type_from_title
from scrapers.normalise.experience import parse_experience
from scrapers.normalise.location import parse_location
from scrapers.normalise.salary import parse_salary
from vocab import EducationLevel

Step = Callable[[Item], Item]

#: employer name used for postings whose company the board does not give
NO_EMPLOYER = "（未注明单位）not stated"

_LIMITS = {
    "title": 200,
    "employer_name": 200,
    "address": 300,
    "city": 64,
    "province": 64,
    "employer_industry": 100,
    "employer_size": 32,
    "salary_text": 100,
}


def normalise_salary(item: Item) -> Item:
    """``salary_text`` → ``salary`` (see :mod:`scrapers.normalise.salary`), unless the source
    already gave a structured salary (schema.org ``baseSalary``)."""
    if isinstance(item, PostingItem) and item.salary is None:
        item.salary, messages = parse_salary(item.salary_text)
        for message in messages:
            item.warn(item.column("salary_text"), message)
    return item


def normalise_education(item: Item) -> Item:
    """``education_text`` → ``education``; an unrecognised text warns and means no requirement."""
    if isinstance(item, PostingItem) and item.education_text:
        item.education = parse_education(item.education_text)
        if item.education is None:
            item.warn(item.column("education_text"), f"学历 {item.education_text!r} not recognised")
    return item


def normalise_experience(item: Item) -> Item:
    """``experience_text`` → ``experience_years`` (minimum years; 0 = none needed)."""
    if isinstance(item, PostingItem) and item.experience_text:
        item.experience_years = parse_experience(item.experience_text)
        if item.experience_years is None:
            item.warn(item.column("experience_text"), f"工作经验 {item.experience_text!r} not recognised")
    return item


def normalise_location(item: Item) -> Item:
    """Chinese ``location_text`` → ``region_code``/``province``/``city`` (GB/T 2260), and every
    place in ``places`` resolved the same way (a posting naming only ``location_text`` gets it as
    its one place). Places abroad keep the source's city/state. An unresolved second place warns
    and is kept with its text as ``address``."""
    if not isinstance(item, PostingItem):
        return item
    if item.country == "CN" and item.location_text:
        location = parse_location(item.location_text)
        if location is None:
            item.warn(item.column("location_text"), f"{item.location_text!r} is not a known region")
        else:
            item.region_code, item.province, item.city = location.region_code, location.province, location.city
    if not item.places and (item.location_text or item.city or item.province or item.address):
        resolve_later = item.country == "CN" and item.location_text
        item.places = [
            PlaceItem(item.location_text or "", item.address)
            if resolve_later
            else PlaceItem(item.location_text or "", item.address, item.region_code, item.province, item.city)
        ]
    for i, place in enumerate(item.places):
        if item.country != "CN" or place.region_code is not None or not place.text:
            continue
        location = parse_location(place.text)
        if location is None:
            if i:
                item.warn(item.column("location_text"), f"location {i + 1} {place.text!r} is not a known region")
            place.address = place.address or place.text[:300]
            continue
        place.region_code, place.province, place.city = location.region_code, location.province, location.city
        place.district = location.district
    return item


def validate(item: Item) -> Item:
    """Required fields present, texts within the database's lengths (longer ones cut, with a warning).

    Raises:
        RejectItem: no title (posting) or no external id.
    """
    if not item.external_id:
        raise RejectItem("external_id", "no id for this row")
    if isinstance(item, SeekerItem):
        kept = []
        for exp in item.experiences:
            if exp.title:
                kept.append(exp)
            else:
                column = f"{exp.origin} Position.Name".strip()
                item.warnings.append(Issue(exp.row, column, "work-history row without a position name skipped"))
        item.experiences = kept
        if not item.experiences and not item.desired_titles:
            raise RejectItem(
                item.column("Applicant.ID"), "no position name in any work-history row and no positions of interest"
            )
        return item
    item.title = " ".join((item.title or "").split())
    item.skills = list(dict.fromkeys(s.strip()[:100] for s in item.skills if s and s.strip()))
    if not item.title:
        raise RejectItem(item.column("title"), "title is required")
    if not item.employer_name:
        item.warn(item.column("employer_name"), f"no company given; stored under {NO_EMPLOYER!r}")
        item.employer_name = NO_EMPLOYER
    if item.education is None:
        item.education = EducationLevel.ANY
    if item.employment_type is None:
        item.employment_type = employment_type_from_title(item.title)
    for name, limit in _LIMITS.items():
        value = getattr(item, name)
        if isinstance(value, str) and len(value) > limit:
            item.warn(item.column(name), f"longer than {limit} characters; cut")
            setattr(item, name, value[:limit])
    return item


class _Labelled(Protocol):
    @property
    def label(self) -> str: ...


class SkillVocabulary(Protocol):
    """What :class:`ExtractSkills` needs of a taxonomy. The service passes the core taxonomy
    (:class:`matching.taxonomy.Taxonomy`, from :func:`service.taxonomy.core.core_taxonomy`);
    ``scrapers`` does not import ``matching`` (README, "Layout")."""

    def resolve(self, text: str | None, kind: str | None = None) -> object | None:
        """The concept ``text`` names, or ``None``."""

    def extract_skills(self, text: str | None) -> list[str]:
        """Codes of the skill and certificate concepts ``text`` mentions."""

    def concept(self, code: str) -> _Labelled | None:
        """The concept with ``code`` (its ``label`` is stored), or ``None``."""


@dataclass
class ExtractSkills:
    """Skills for postings whose source names none: the skill and certificate concepts the title
    and description mention (:meth:`matching.taxonomy.Taxonomy.extract_skills`), stored by their
    labels. Skills the source does give are kept as given; those the taxonomy cannot resolve are
    listed in ``item.unknown_skills`` (and counted in ``unknown``) for review."""

    taxonomy: SkillVocabulary
    unknown: int = 0

    def __call__(self, item: Item) -> Item:
        if not isinstance(item, PostingItem):
            return item
        tax = self.taxonomy
        if item.skills:
            item.unknown_skills = [s for s in item.skills if tax.resolve(s) is None]
            self.unknown += len(item.unknown_skills)
        else:
            labels = (tax.concept(code) for code in tax.extract_skills(f"{item.title}\n{item.description}"))
            item.skills = list(dict.fromkeys(c.label for c in labels if c is not None))
        return item


@dataclass
class Deduplicate:
    """Drops a second item with the same ``(source, external_id)`` within one run (with a warning),
    and sets each posting's :attr:`~scrapers.items.PostingItem.duplicate_key` (employer, title and
    city, :func:`scrapers.dedupe.duplicate_key`) by which the store finds the same vacancy stored
    from another board, and its requisition number when the source gave none in a field
    (:func:`scrapers.dedupe.extract_reference`), which keeps two vacancies with one key apart."""

    seen: dict[tuple[str, str], int] = field(default_factory=dict)
    dropped: int = 0

    def __call__(self, item: Item) -> Item:
        key = (item.source, item.external_id)
        if key in self.seen:
            self.dropped += 1
            raise RejectItem("external_id", f"duplicate of row {self.seen[key]}")
        self.seen[key] = item.row
        if isinstance(item, PostingItem):
            item.duplicate_key = duplicate_key(
                item.employer_name, item.title, item.city, item.country, no_employer=NO_EMPLOYER
            )
            item.reference = item.reference or extract_reference(item.title, item.description)
        return item


@dataclass
class PipelineResult:
    """What a run produced: kept items, rejected rows, duplicates dropped, warnings."""

    items: list[Item] = field(default_factory=list)
    rejected: list[Issue] = field(default_factory=list)
    duplicates: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)
    rows_read: int = 0


class Pipeline:
    """Runs every item through ``steps`` in order."""

    def __init__(self, steps: list[Step]) -> None:
        self.steps = steps

    def run(self, records: Iterable[Item | Issue]) -> PipelineResult:
        result = PipelineResult()
        for record in records:
            result.rows_read += 1
            if isinstance(record, Issue):
                result.rejected.append(record)
                continue
            try:
                for step in self.steps:
                    record = step(record)
            except RejectItem as reject:
                issue = Issue(record.row, reject.column, reject.reason)
                (result.duplicates if isinstance(step, Deduplicate) else result.rejected).append(issue)
                continue
            result.items.append(record)
            result.warnings.extend(record.warnings)
        result.rows_read = getattr(records, "rows_read", result.rows_read)
        return result


def default_pipeline(taxonomy: SkillVocabulary) -> Pipeline:
    """Salary, education, experience, location, validation, de-duplication, then skills
    (``taxonomy``: the service's is :func:`service.taxonomy.core.core_taxonomy`; see
    :func:`unknown_skill_count`)."""
    return Pipeline(
        [
            normalise_salary,
            normalise_education,
            normalise_experience,
            normalise_location,
            validate,
            Deduplicate(),
            ExtractSkills(taxonomy),
        ]
    )


def unknown_skill_count(pipeline: Pipeline) -> int:
    """Free-text skills (not in the taxonomy) seen by ``pipeline``'s :class:`ExtractSkills` step."""
    return sum(step.unknown for step in pipeline.steps if isinstance(step, ExtractSkills))
