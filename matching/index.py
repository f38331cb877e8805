"""Column-oriented job tables for the content ranker: sparse skill/title/text matrices and arrays.

A :class:`JobTable` holds, for a list of :class:`~matching.documents.JobDoc`, everything the
vectorised feature computation in :mod:`matching.scoring` needs: one row per job, skills as
columns of sparse indicator matrices (a column per *skill key*: ``c:<concept code>`` when the
taxonomy resolves the text, else ``r:<normalised text>``), title tokens, TF-IDF vectors and
numeric arrays with ``NaN`` / ``-1`` for unknown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from matching.documents import JobDoc, SeekerDoc
from matching.features import Place, place
from matching.ngrams import CharNgramTfidf
from matching.taxonomy import Taxonomy
from vocab import EmploymentType, education_rank
from vocab.text import is_protected, normalise, tokens

JOB_TYPES: tuple[EmploymentType, ...] = tuple(EmploymentType)


def title_tokens(title: str) -> list[str]:
    """Tokens of a job title for the title-overlap feature: :func:`vocab.text.tokens` with a
    light English plural strip (``cooks`` → ``cook``, not ``glass``/``bus`` nor a protected token
    such as ``ios``), applied to both sides."""
    out = []
    for tok in tokens(title):
        if (
            len(tok) > 3
            and tok.isascii()
            and tok.isalpha()
            and tok.endswith("s")
            and not tok.endswith(("ss", "us"))
            and not is_protected(tok)
        ):
            tok = tok[:-1]
        out.append(tok)
    return out


def fit_vectorizer(texts: Sequence[str]) -> tuple[CharNgramTfidf, sp.csr_matrix]:
    """TF-IDF over character n-grams 1–3 within word boundaries (``char_wb``), fitted on ``texts``.

    Character n-grams work for Chinese, where single characters carry meaning and words are not
    separated, and for English, where they absorb inflection (``cook``/``cooks``/``cooking``).
    Returns the fitted vectoriser and the L2-normalised rows of ``texts``.
    """
    vec = CharNgramTfidf()
    return vec, vec.fit_transform(texts)


def job_text(job: JobDoc, description_chars: int, max_items: int) -> str:
    """What the TF-IDF text feature sees of a job: title twice, skills, certificates, start of description."""
    parts = [
        job.title or "",
        job.title or "",
        *job.required_skills[:max_items],
        *job.preferred_skills[:max_items],
        *job.certificates[:max_items],
        (job.description or "")[:description_chars],
    ]
    return normalise(" ".join(p for p in parts if p))


def seeker_text(s: SeekerDoc, description_chars: int, max_items: int) -> str:
    """What the TF-IDF text feature sees of a seeker: titles, skills, certificates, major, summary."""
    parts = [
        *s.desired_titles[:max_items],
        *s.experience_titles[:max_items],
        *s.skills[:max_items],
        *s.certificates[:max_items],
        s.major_name or "",
        (s.summary or "")[:description_chars],
    ]
    return normalise(" ".join(p for p in parts if p))


def skill_key(text: str | None, taxonomy: Taxonomy | None) -> str | None:
    """The column key of a skill/certificate string: ``c:<code>`` if the taxonomy resolves it, else
    ``r:<normalised text>``; ``None`` for empty text."""
    norm = normalise(text or "")
    if not norm:
        return None
    hit = taxonomy.resolve(norm) if taxonomy is not None else None
    return f"c:{hit.code}" if hit else f"r:{norm}"


def job_type_code(value: str) -> int:
    """Index of an employment type in :data:`JOB_TYPES`; unrecognised values count as ``OTHER``."""
    try:
        return JOB_TYPES.index(EmploymentType(value))
    except ValueError:
        return JOB_TYPES.index(EmploymentType.OTHER)


def education_code(value: object) -> int:
    """:func:`vocab.education_rank` of a level; unrecognised values count as 0 (no requirement)."""
    try:
        return education_rank(value)  # type: ignore[arg-type]  # anything: unknown values raise
    except (ValueError, KeyError):
        return 0


class Interner(dict[str, int]):
    """String → small int id, ``-1`` for unknown; lookups of unseen keys give ``-2`` (never equal)."""

    def add(self, key: str | None) -> int:
        if not key:
            return -1
        return self.setdefault(key, len(self))

    def id(self, key: str | None) -> int:
        return -1 if not key else self.get(key, -2)


def _indicator(rows: list[list[int]], n_cols: int) -> sp.csr_matrix:
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int32, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))


@dataclass
class JobTable:
    """One row per job. ``skills[i]`` lists ``(wording, column, kind)`` with kind ``req``/``pref``/``cert``."""

    jobs: list[JobDoc]
    ids: np.ndarray
    skill_cols: dict[str, int]
    raw_keys: list[str]  # normalised texts of the unresolved (``r:``) columns, for fuzzy expansion
    raw_cols: np.ndarray
    skills: list[list[tuple[str, int, str]]]
    req: sp.csr_matrix  # jobs × skill columns
    pref: sp.csr_matrix
    cert: sp.csr_matrix
    by_skill: dict[str, sp.csr_matrix]  # "req"/"pref"/"cert": skill columns × jobs (inverted index)
    n_req: np.ndarray
    n_pref: np.ndarray
    n_cert: np.ndarray
    title_cols: dict[str, int]
    title_tok: sp.csr_matrix
    text: sp.csr_matrix
    title_vec: sp.csr_matrix
    places: Interner
    country: np.ndarray
    province: np.ndarray
    city_code: np.ndarray
    city_name: np.ndarray
    county: np.ndarray
    loc_known: np.ndarray
    education: np.ndarray
    job_type: np.ndarray
    salary: np.ndarray
    posted: np.ndarray
    popularity: np.ndarray
    occupations: Interner
    occupation: np.ndarray

    def __len__(self) -> int:
        return len(self.jobs)


def build_table(
    jobs: Sequence[JobDoc],
    taxonomy: Taxonomy | None,
    text: sp.csr_matrix,
    title_vec: sp.csr_matrix,
    max_items: int,
    key: Callable[[str | None], str | None] | None = None,
) -> JobTable:
    """Build the table for ``jobs`` given their TF-IDF rows (``text``, ``title_vec``)."""
    key = key or (lambda t: skill_key(t, taxonomy))
    skill_cols: dict[str, int] = {}
    skills: list[list[tuple[str, int, str]]] = []
    groups: dict[str, list[list[int]]] = {"req": [], "pref": [], "cert": []}
    title_cols: dict[str, int] = {}
    title_rows: list[list[int]] = []
    places, occupations = Interner(), Interner()
    n = len(jobs)
    loc = np.full((5, n), -1, dtype=np.int32)
    loc_known = np.zeros(n, dtype=bool)
    occ = np.full(n, -1, dtype=np.int32)
    occ_cache: dict[tuple[str | None, str], str | None] = {}
    tok_cache: dict[str, list[int]] = {}
    place_cache: dict[tuple[str | None, ...], Place] = {}
    for i, job in enumerate(jobs):
        row: list[tuple[str, int, str]] = []
        for kind, values in (("req", job.required_skills), ("pref", job.preferred_skills), ("cert", job.certificates)):
            cols: list[int] = []
            for wording in values[:max_items]:
                k = key(wording)
                if k is None:
                    continue
                col = skill_cols.setdefault(k, len(skill_cols))
                if col not in cols:
                    cols.append(col)
                    row.append((wording, col, kind))
            groups[kind].append(cols)
        skills.append(row)
        title = job.title or ""
        if title not in tok_cache:
            tok_cache[title] = sorted({title_cols.setdefault(t, len(title_cols)) for t in title_tokens(title)})
        title_rows.append(tok_cache[title])
        where = (job.country, job.region_code, job.province, job.city)
        if where not in place_cache:
            place_cache[where] = place(*where)
        p = place_cache[where]
        loc[:, i] = [
            places.add(p.country),
            places.add(p.province),
            places.add(p.city_code),
            places.add(p.city_name),
            places.add(p.county),
        ]
        loc_known[i] = p.known
        if taxonomy is not None:
            ck = (job.occupation_code, normalise(job.title or "") if not job.occupation_code else "")
            if ck not in occ_cache:
                occ_cache[ck] = taxonomy.occupation_code(job.occupation_code, job.title)
            occ[i] = occupations.add(occ_cache[ck])
        elif job.occupation_code:
            occ[i] = occupations.add(job.occupation_code)
    n_skill = len(skill_cols)
    req, pref, cert = (_indicator(groups[g], n_skill) for g in ("req", "pref", "cert"))
    raw = [(k[2:], c) for k, c in skill_cols.items() if k.startswith("r:")]
    salary = np.array(
        [
            j.salary_max_monthly
            if j.salary_max_monthly is not None
            else (j.salary_min_monthly if j.salary_min_monthly is not None else np.nan)
            for j in jobs
        ],
        dtype=np.float64,
    )
    return JobTable(
        jobs=list(jobs),
        ids=np.array([j.id for j in jobs], dtype=np.int64),
        skill_cols=skill_cols,
        raw_keys=[r for r, _ in raw],
        raw_cols=np.array([c for _, c in raw], dtype=np.int64),
        skills=skills,
        req=req,
        pref=pref,
        cert=cert,
        by_skill={"req": req.T.tocsr(), "pref": pref.T.tocsr(), "cert": cert.T.tocsr()},
        n_req=np.diff(req.indptr).astype(np.float64),
        n_pref=np.diff(pref.indptr).astype(np.float64),
        n_cert=np.diff(cert.indptr).astype(np.float64),
        title_cols=title_cols,
        title_tok=_indicator(title_rows, len(title_cols)),
        text=text,
        title_vec=title_vec,
        places=places,
        country=loc[0],
        province=loc[1],
        city_code=loc[2],
        city_name=loc[3],
        county=loc[4],
        loc_known=loc_known,
        education=np.array([education_code(j.education_required) for j in jobs], dtype=np.int8),
        job_type=np.array([job_type_code(j.employment_type) for j in jobs], dtype=np.int8),
        salary=salary,
        posted=np.array([j.posted_on.toordinal() if j.posted_on else np.nan for j in jobs], dtype=np.float64),
        popularity=np.log1p(np.array([max(j.popularity or 0, 0) for j in jobs], dtype=np.float64)),
        occupations=occupations,
        occupation=occ,
    )
