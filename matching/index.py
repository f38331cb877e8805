"""Column-oriented job tables for the content ranker: sparse skill/title/text matrices and arrays.

A :class:`JobTable` holds, for a list of :class:`~matching.documents.JobDoc`, everything the
vectorised feature computation in :mod:`matching.scoring` needs: one row per job, skills as
inverted lists per column (a column per *skill key*: ``c:<concept code>`` when the taxonomy
resolves the text, else ``r:<normalised text>``), title tokens and title TF-IDF vectors per
*distinct* title (rows point at theirs: postings repeat titles a lot), text TF-IDF vectors and
numeric arrays with ``NaN`` / ``-1`` for unknown.

Everything per posting is a numpy array (no Python object per posting except the optional
``jobs``), so that a table costs about a kilobyte per posting and can be written as ``.npy``
files and memory-mapped by several processes (:meth:`matching.content.ContentRanker.save`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
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
    indptr: np.ndarray = np.zeros(len(rows) + 1, dtype=np.int64 if sum(map(len, rows)) >= 2**31 else np.int32)
    indptr[1:] = np.cumsum([len(r) for r in rows])
    indices = np.fromiter((c for r in rows for c in r), dtype=np.int32, count=int(indptr[-1]))
    data = np.ones(len(indices), dtype=np.float32)
    return sp.csr_matrix((data, indices, indptr), shape=(len(rows), n_cols))


@dataclass(frozen=True)
class Postings:
    """An inverted index without weights: the rows of key ``c`` are ``indices[indptr[c]:indptr[c + 1]]``
    (sorted). Half the size of the equivalent CSR matrix, whose data would all be ones."""

    indptr: np.ndarray
    indices: np.ndarray

    @classmethod
    def of(cls, by_key: sp.csr_matrix | sp.csc_matrix) -> Postings:
        """The postings of a keys × rows matrix (its non-zero pattern)."""
        m = by_key.tocsr()
        m.sort_indices()
        return cls(indptr=m.indptr, indices=m.indices.astype(np.int32, copy=False))

    def __getitem__(self, key: int) -> np.ndarray:
        return self.indices[self.indptr[key] : self.indptr[key + 1]]

    def __len__(self) -> int:
        return len(self.indptr) - 1


class Positions(Mapping[int, int]):
    """Job id → row, as two arrays (sorted ids and their rows) instead of a dict: a few bytes per
    posting instead of about a hundred, and storable as ``.npy``."""

    def __init__(self, ids: np.ndarray, rows: np.ndarray) -> None:
        self.ids, self.rows = ids, rows  # (not ``keys``: that is Mapping's method)

    @classmethod
    def of(cls, ids: np.ndarray) -> Positions:
        """Rows of ``ids`` (row ``i`` has ``ids[i]``); a repeated id keeps one row (the caller checks)."""
        order = np.argsort(ids, kind="stable")
        keys = ids[order]
        first = np.concatenate(([True], keys[1:] != keys[:-1])) if len(keys) else np.zeros(0, dtype=bool)
        return cls(keys[first].astype(np.int64), order[first].astype(np.int32))

    def _find(self, key: object) -> int:
        if not isinstance(key, (int, np.integer)) or isinstance(key, bool):
            return -1
        i = int(np.searchsorted(self.ids, key))
        return i if i < len(self.ids) and self.ids[i] == key else -1

    def __getitem__(self, key: object) -> int:
        i = self._find(key)
        if i < 0:
            raise KeyError(key)
        return int(self.rows[i])

    def __contains__(self, key: object) -> bool:
        return self._find(key) >= 0

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def __len__(self) -> int:
        return len(self.ids)


def impact_ordered(text: sp.csr_matrix, limit: int | None) -> sp.csc_matrix:
    """``text`` column-major, each column cut to its ``limit`` largest values (``None``: all): the
    candidate search's inverted index over n-grams (:meth:`matching.content.ContentRanker.candidates`)."""
    cols = text.tocsc()
    lengths = np.diff(cols.indptr)
    if limit is None or not len(lengths) or lengths.max() <= limit:
        return cols
    keep = np.ones(cols.nnz, dtype=bool)
    for c in np.flatnonzero(lengths > limit):
        a, b = cols.indptr[c], cols.indptr[c + 1]
        top = np.argpartition(-cols.data[a:b], limit - 1)[:limit]
        keep[a:b] = False
        keep[a + np.sort(top)] = True
    indptr = np.zeros(len(lengths) + 1, dtype=cols.indptr.dtype)
    np.cumsum(np.minimum(lengths, limit), out=indptr[1:])
    return sp.csc_matrix((cols.data[keep], cols.indices[keep], indptr), shape=cols.shape)


SKILL_KINDS = ("req", "pref", "cert")


@dataclass
class JobTable:
    """One row per job.

    ``jobs`` holds the documents (``None`` when the table was built or loaded without them: nothing
    in scoring or explaining needs them). Each row's skills are the entries
    ``skill_ptr[i]:skill_ptr[i + 1]`` of ``skill_word`` (index into ``wordings``, the posting's own
    wording), ``skill_col`` (column) and ``skill_kind`` (index into :data:`SKILL_KINDS`), in the
    posting's order; :meth:`skills` lists them. ``title_id[i]`` is row ``i``'s index into ``titles``
    (the distinct raw titles), whose rows ``title_tok`` and ``title_vec`` hold; ``employer_id[i]``
    indexes ``employers`` likewise.
    """

    jobs: list[JobDoc] | None
    ids: np.ndarray
    skill_cols: dict[str, int]
    raw_keys: list[str]  # normalised texts of the unresolved (``r:``) columns, for fuzzy expansion
    raw_cols: np.ndarray
    wordings: list[str]
    skill_ptr: np.ndarray
    skill_word: np.ndarray
    skill_col: np.ndarray
    skill_kind: np.ndarray
    by_skill: dict[str, Postings]  # "req"/"pref"/"cert": skill column → postings (inverted index)
    n_req: np.ndarray
    n_pref: np.ndarray
    n_cert: np.ndarray
    title_cols: dict[str, int]
    titles: list[str]
    title_id: np.ndarray
    title_tok: sp.csr_matrix  # distinct titles × title tokens
    text: sp.csr_matrix
    title_vec: sp.csr_matrix  # distinct titles × title n-grams
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
    employers: list[str]
    employer_id: np.ndarray

    def __len__(self) -> int:
        return len(self.ids)

    def skills(self, row: int) -> list[tuple[str, int, str]]:
        """``(wording, column, kind)`` of row ``row``'s skills and certificates, kind ``req``/``pref``/``cert``."""
        a, b = int(self.skill_ptr[row]), int(self.skill_ptr[row + 1])
        return [
            (self.wordings[w], int(c), SKILL_KINDS[k])
            for w, c, k in zip(self.skill_word[a:b], self.skill_col[a:b], self.skill_kind[a:b], strict=True)
        ]

    def title(self, row: int) -> str:
        """Row ``row``'s title as posted."""
        return self.titles[int(self.title_id[row])]


def build_table(
    jobs: Sequence[JobDoc],
    taxonomy: Taxonomy | None,
    text: sp.csr_matrix,
    title_vec: sp.csr_matrix,
    max_items: int,
    key: Callable[[str | None], str | None] | None = None,
    keep_docs: bool = True,
) -> JobTable:
    """Build the table for ``jobs`` given their TF-IDF rows (``text``, ``title_vec``: one row per job;
    the table keeps one row of ``title_vec`` per distinct title). ``keep_docs=False``: the table
    does not hold the documents (``jobs`` is ``None``)."""
    key = key or (lambda t: skill_key(t, taxonomy))
    skill_cols: dict[str, int] = {}
    wording_ids: dict[str, int] = {}
    entries: list[tuple[int, int, int]] = []  # (wording, column, kind) of every row, in row order
    counts: list[int] = []
    groups: dict[str, list[list[int]]] = {"req": [], "pref": [], "cert": []}
    title_cols: dict[str, int] = {}
    title_ids: dict[str, int] = {}
    title_first: list[int] = []  # the first row of each distinct title
    title_rows: list[list[int]] = []  # token columns of each distinct title
    employer_ids: dict[str, int] = {}
    places, occupations = Interner(), Interner()
    n = len(jobs)
    title_id = np.zeros(n, dtype=np.int32)
    employer_id = np.zeros(n, dtype=np.int32)
    loc = np.full((5, n), -1, dtype=np.int32)
    loc_known = np.zeros(n, dtype=bool)
    occ = np.full(n, -1, dtype=np.int32)
    occ_cache: dict[tuple[str | None, str], str | None] = {}
    place_cache: dict[tuple[str | None, ...], Place] = {}
    for i, job in enumerate(jobs):
        start = len(entries)
        for k_i, (kind, values) in enumerate(
            (("req", job.required_skills), ("pref", job.preferred_skills), ("cert", job.certificates))
        ):
            cols: list[int] = []
            for wording in values[:max_items]:
                k = key(wording)
                if k is None:
                    continue
                col = skill_cols.setdefault(k, len(skill_cols))
                if col not in cols:
                    cols.append(col)
                    entries.append((wording_ids.setdefault(wording, len(wording_ids)), col, k_i))
            groups[kind].append(cols)
        counts.append(len(entries) - start)
        title = job.title or ""
        tid = title_ids.setdefault(title, len(title_ids))
        if tid == len(title_first):
            title_first.append(i)
            title_rows.append(sorted({title_cols.setdefault(t, len(title_cols)) for t in title_tokens(title)}))
        title_id[i] = tid
        employer_id[i] = employer_ids.setdefault(job.employer_name or "", len(employer_ids))
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
    by_skill = {g: Postings.of(_indicator(groups[g], n_skill).T) for g in SKILL_KINDS}
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
    skill_ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=skill_ptr[1:])
    entry = np.array(entries, dtype=np.int32).reshape(-1, 3)
    return JobTable(
        jobs=list(jobs) if keep_docs else None,
        ids=np.array([j.id for j in jobs], dtype=np.int64),
        skill_cols=skill_cols,
        raw_keys=[r for r, _ in raw],
        raw_cols=np.array([c for _, c in raw], dtype=np.int64),
        wordings=list(wording_ids),
        skill_ptr=skill_ptr,
        skill_word=entry[:, 0].copy(),
        skill_col=entry[:, 1].copy(),
        skill_kind=entry[:, 2].astype(np.int8),
        by_skill=by_skill,
        # counts as float32: exact for any count, and ``hits / n`` is still computed in float64
        n_req=np.array([len(c) for c in groups["req"]], dtype=np.float32),
        n_pref=np.array([len(c) for c in groups["pref"]], dtype=np.float32),
        n_cert=np.array([len(c) for c in groups["cert"]], dtype=np.float32),
        title_cols=title_cols,
        titles=list(title_ids),
        title_id=title_id,
        title_tok=_indicator(title_rows, len(title_cols)),
        text=text,
        title_vec=title_vec[np.array(title_first, dtype=np.int64)] if n else title_vec,
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
        employers=list(employer_ids),
        employer_id=employer_id,
    )
