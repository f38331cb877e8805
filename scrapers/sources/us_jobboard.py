"""A US hourly/entry-level job board (2014–15): ``jobs.csv`` and the applicants' files.

``jobs.csv`` (Job.ID, Title, Position, Company, City, State.Name, State.Code, Industry) gives
postings; ``experience.csv`` (work history) and ``positions_of_interest.csv`` give job seekers,
one per Applicant.ID. ``views.csv`` is interaction data and is not read here. ``NA``/empty
cells are missing values (the files were written by R).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from scrapers.csvio import CsvFileSource, CsvRow, UnreadableFileError, clean, iter_rows, read_text
from scrapers.items import ExperienceItem, Issue, PostingItem, SeekerItem

SOURCE = "us_jobboard"
JOB_COLUMNS = ("Job.ID", "Title", "Position", "Company", "City", "State.Code")
EXPERIENCE_COLUMNS = (
    "Applicant.ID",
    "Position.Name",
    "Employer.Name",
    "City",
    "State.Code",
    "Start.Date",
    "End.Date",
    "Job.Description",
)
INTEREST_COLUMNS = ("Applicant.ID", "Position.Of.Interest")


class UsJobs(CsvFileSource):
    """Postings from ``jobs.csv``: title = Position, country US, province = state code."""

    name = SOURCE
    columns = JOB_COLUMNS

    @staticmethod
    def _item(row: CsvRow) -> PostingItem | Issue:
        v = row.values
        company = clean(v["Company"])
        title = clean(v["Position"])
        if title is None and (full := clean(v["Title"])):
            title = full.removesuffix(f" @ {company}") if company else full
        job_id = clean(v["Job.ID"])
        if job_id is None:
            return Issue(row.row, "Job.ID", "no job id")
        return PostingItem(
            source=SOURCE,
            external_id=job_id,
            row=row.row,
            title=title or "",
            employer_name=company,
            employer_industry=clean(v.get("Industry")),
            country="US",
            province=clean(v["State.Code"]),
            city=clean(v["City"]),
            columns={
                "title": "Position",
                "employer_name": "Company",
                "city": "City",
                "province": "State.Code",
                "employer_industry": "Industry",
            },
        )


def _date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


@dataclass
class _Seeker:
    item: SeekerItem
    seen_titles: set[str]


class UsApplicants:
    """Job seekers from ``experience.csv`` + ``positions_of_interest.csv`` in one folder.

    Home city/state is that of the most recent job with a location (latest end date, a
    current job — start date but no end — counting as most recent; undated jobs last).
    """

    name = SOURCE

    def __init__(self, path: Path) -> None:
        self.folder = path if path.is_dir() else path.parent
        self.rows_read = 0

    def __iter__(self) -> Iterator[SeekerItem | Issue]:
        experience = self.folder / "experience.csv"
        interest = self.folder / "positions_of_interest.csv"
        if not experience.exists() and not interest.exists():
            raise UnreadableFileError(f"neither experience.csv nor positions_of_interest.csv in {self.folder}")
        seekers: dict[str, _Seeker] = {}
        issues: list[Issue] = []

        def seeker(applicant: str, row_number: int, origin: str) -> _Seeker:
            if applicant not in seekers:
                seekers[applicant] = _Seeker(
                    SeekerItem(source=SOURCE, external_id=applicant, row=row_number, country="US", origin=origin), set()
                )
            return seekers[applicant]

        if experience.exists():
            _, rows = iter_rows(read_text(experience)[0], EXPERIENCE_COLUMNS)
            for row in rows:
                self.rows_read += 1
                v = row.values
                applicant = clean(v["Applicant.ID"])
                if applicant is None:
                    issues.append(Issue(row.row, "experience.csv Applicant.ID", "no applicant id"))
                    continue
                seeker(applicant, row.row, experience.name).item.experiences.append(
                    ExperienceItem(
                        row=row.row,
                        origin=experience.name,
                        title=clean(v["Position.Name"]) or "",
                        employer_name=clean(v["Employer.Name"]),
                        city=clean(v["City"]),
                        province=clean(v["State.Code"]),
                        description=clean(v["Job.Description"]) or "",
                        start_date=_date(clean(v["Start.Date"])),
                        end_date=_date(clean(v["End.Date"])),
                    )
                )
        if interest.exists():
            _, rows = iter_rows(read_text(interest)[0], INTEREST_COLUMNS)
            for row in rows:
                self.rows_read += 1
                applicant = clean(row.values["Applicant.ID"])
                title = clean(row.values["Position.Of.Interest"])
                if applicant is None:
                    issues.append(Issue(row.row, "positions_of_interest.csv Applicant.ID", "no applicant id"))
                    continue
                entry = seeker(applicant, row.row, interest.name)
                if title and title.casefold() not in entry.seen_titles:
                    entry.seen_titles.add(title.casefold())
                    entry.item.desired_titles.append(title)
        yield from issues
        for entry in seekers.values():
            _set_home(entry.item)
            yield entry.item


def _set_home(item: SeekerItem) -> None:
    located = [(i, e) for i, e in enumerate(item.experiences) if e.city or e.province]
    if not located:
        return

    def recency(pair: tuple[int, ExperienceItem]) -> tuple[dt.date, int]:
        index, exp = pair
        when = exp.end_date or (dt.date.max if exp.start_date else dt.date.min)
        return (when, -index)

    _, latest = max(located, key=recency)
    item.city, item.province = latest.city, latest.province
