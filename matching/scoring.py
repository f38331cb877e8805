"""Vectorised feature computation and explanations for one seeker against rows of a :class:`JobTable`.

The definitions (what each feature means, its weight) live in :mod:`matching.features`; this
module computes them for many jobs at once with numpy so that scoring a few thousand candidate
postings takes about a millisecond, and turns one row back into an :class:`Explanation`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

from matching.documents import Explanation, SeekerDoc
from matching.features import (
    FEATURES,
    LOCATION_SCORES,
    RECENCY_HALF_LIFE_DAYS,
    RELATED_JOB_TYPE_SCORE,
    RELEVANCE_FEATURES,
    RELEVANCE_GATE,
    SALARY_SHORTFALL_POWER,
    Place,
    Preferences,
    confidence,
    place,
    preferences,
    profile_completeness,
)
from matching.index import JOB_TYPES, JobTable, education_code, job_type_code, seeker_text, skill_key, title_tokens
from matching.ngrams import CharNgramTfidf
from matching.taxonomy import Taxonomy
from vocab.text import match_pairs, normalise

#: Weight of each kind of seeker title in the title feature: what they ask for counts most,
#: what they did counts a little less, the name of their major (a fresh graduate's only "title")
#: least.
TITLE_WEIGHTS = {"desired": 1.0, "experience": 0.8, "major": 0.6}
#: Extra weight of a title's last word in token coverage: in both English and Chinese job titles
#: the head noun comes last (line *cook*, 数控*车工*, 餐厅*服务员*), so a posting titled ``Cook``
#: covers most of ``line cook``.
HEAD_WEIGHT = 2.0
#: Tables with more rows than this get dense query vectors (fast products over many rows).
DENSE_QUERY_ROWS = 64
#: Titles read per seeker (desired first, then experience, then the major's name).
MAX_TITLES = 20
LOCATIONS = ("same_city", "same_province", "preferred", "elsewhere", "abroad", "unknown")
_IDX = {name: i for i, name in enumerate(FEATURES)}


@dataclass
class Profile:
    """A seeker prepared for scoring (independent of any job table)."""

    doc: SeekerDoc
    keys: list[str]
    raw: list[str]
    titles: list[tuple[list[str], float]]
    title_vecs: sp.csr_matrix
    text_vec: sp.csr_matrix
    place: Place
    prefs: Preferences
    education: int
    job_types: frozenset[int]
    occupations: frozenset[str] | None
    completeness: float
    confidence: float


def build_profiles(
    seekers: Sequence[SeekerDoc],
    taxonomy: Taxonomy | None,
    text_vec: CharNgramTfidf,
    title_vec: CharNgramTfidf,
    description_chars: int,
    max_items: int,
) -> list[Profile]:
    """Prepare seekers for scoring; TF-IDF transforms are batched over all of them."""
    texts = text_vec.transform([seeker_text(s, description_chars, max_items) for s in seekers]).tocsr()
    all_titles: list[list[tuple[str, float]]] = []
    for s in seekers:
        titled = [(t, TITLE_WEIGHTS["desired"]) for t in s.desired_titles[:max_items]]
        titled += [(t, TITLE_WEIGHTS["experience"]) for t in s.experience_titles[:max_items]]
        if s.major_name:
            titled.append((s.major_name, TITLE_WEIGHTS["major"]))
        all_titles.append([(n, w) for t, w in titled if (n := normalise(t or ""))][:MAX_TITLES])
    flat = [t for titles in all_titles for t, _ in titles]
    title_rows = title_vec.transform(flat).tocsr() if flat else None
    out, start = [], 0
    for i, s in enumerate(seekers):
        keys = list(
            dict.fromkeys(
                k for t in (*s.skills[:max_items], *s.certificates[:max_items]) if (k := skill_key(t, taxonomy))
            )
        )
        m = len(all_titles[i])
        vecs = (
            title_rows[start : start + m]
            if title_rows is not None
            else sp.csr_matrix(np.zeros((0, 1), dtype=np.float32))
        )
        start += m
        occupations = None
        if taxonomy is not None and taxonomy.major(s.major_code) is not None:
            occupations = frozenset(taxonomy.occupation_code(o) or o for o in taxonomy.occupations_of(s.major_code))
        completeness = profile_completeness(s)
        out.append(
            Profile(
                doc=s,
                keys=keys,
                raw=[k[2:] for k in keys if k.startswith("r:")],
                titles=[(title_tokens(t), w) for t, w in all_titles[i]],
                title_vecs=vecs,
                text_vec=texts[i],
                place=place(s.country, s.region_code, s.province, s.city),
                prefs=preferences(s.country, s.preferred_locations),
                education=education_code(s.education),
                job_types=frozenset(job_type_code(t) for t in s.preferred_job_types),
                occupations=occupations,
                completeness=completeness,
                confidence=confidence(completeness),
            )
        )
    return out


@dataclass
class Bound:
    """A profile expressed in one table's columns and ids."""

    cols: frozenset[int]  # the table's skill columns the seeker has
    col_array: np.ndarray
    text_q: np.ndarray | sp.csc_matrix  # TF-IDF query over the text vocabulary (column)
    title_vecs: np.ndarray | sp.csc_matrix  # (title n-gram vocabulary × titles)
    title_q: np.ndarray  # (title tokens × titles): idf share of each token of each title
    title_w: np.ndarray
    loc: tuple[int, int, int, int]  # country, province, city code, city name
    pref: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # province, city code, name, county ids
    occupations: np.ndarray | None


def bind(p: Profile, table: JobTable, title_idf: dict[str, float], default_idf: float) -> Bound:
    """Map a profile onto ``table``: exact skill keys plus fuzzy matches of its free-text skills."""
    cols = {c for k in p.keys if (c := table.skill_cols.get(k)) is not None}
    for _, ci, _ in match_pairs(p.raw, table.raw_keys):
        cols.add(int(table.raw_cols[ci]))
    title_q = np.zeros((len(table.title_cols), len(p.titles)), dtype=np.float32)
    for r, (toks, _) in enumerate(p.titles):
        idf: dict[str, float] = {}
        for pos, tok in enumerate(toks):
            idf[tok] = title_idf.get(tok, default_idf) * (HEAD_WEIGHT if pos == len(toks) - 1 else 1.0)
        total = sum(idf.values()) or 1.0
        for tok, w in idf.items():
            if (c := table.title_cols.get(tok)) is not None:
                title_q[c, r] = w / total
    text_q: np.ndarray | sp.csc_matrix
    title_vecs: np.ndarray | sp.csc_matrix
    if len(table) > DENSE_QUERY_ROWS:  # many rows to score: dense queries make sparse × dense products
        text_q = np.zeros(table.text.shape[1], dtype=np.float32)
        text_q[p.text_vec.indices] = p.text_vec.data
        title_vecs = p.title_vecs.T.toarray() if p.titles else np.zeros((table.title_vec.shape[1], 0))
    else:  # one posting (rank_seekers): allocating vocabulary-sized arrays per seeker would dominate
        text_q, title_vecs = p.text_vec.T.tocsc(), p.title_vecs.T.tocsc()
    ids = table.places.id
    pr = p.prefs
    occupations = None
    if p.occupations is not None:
        occupations = np.array([table.occupations.id(o) for o in p.occupations], dtype=np.int32)
    return Bound(
        cols=frozenset(cols),
        col_array=np.array(sorted(cols), dtype=np.int64),
        text_q=text_q,
        title_vecs=title_vecs,
        title_q=title_q,
        title_w=np.array([w for _, w in p.titles]),
        loc=(ids(p.place.country), ids(p.place.province), ids(p.place.city_code), ids(p.place.city_name)),
        pref=tuple(
            np.array([ids(x) for x in group], dtype=np.int32)  # type: ignore[arg-type]  # ids takes any hashable
            for group in (pr.provinces, pr.city_codes, pr.city_names, pr.counties)
        ),
        occupations=occupations,
    )


def features(
    p: Profile,
    b: Bound,
    t: JobTable,
    rows: np.ndarray,
    as_of: int,
    popularity_scale: float,
    text: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Feature matrix ``(len(rows), len(FEATURES))`` (``NaN`` = unknown) and location relation indexes.

    ``text``: the ``text`` feature of ``rows`` as given (e.g. a bound on the cosine) instead of
    computed, which is most of the cost for many rows (the candidate search's bounds)."""
    r = len(rows)
    whole = r == len(t)  # rows are sorted and unique: all of them means no slicing (one posting, exhaustive)

    def take(m: Any) -> Any:
        return m if whole else m[rows]

    f = np.full((r, len(FEATURES)), np.nan)
    if p.keys:
        for name, kind, counts in (
            ("required_skills", "req", t.n_req),
            ("preferred_skills", "pref", t.n_pref),
            ("certificates", "cert", t.n_cert),
        ):
            n = counts[rows]
            index = t.by_skill[kind]  # postings of the seeker's columns, counted per job
            postings = [index.indices[index.indptr[c] : index.indptr[c + 1]] for c in b.col_array]
            hit = take(np.bincount(np.concatenate(postings), minlength=len(t))) if postings else np.zeros(len(rows))
            with np.errstate(invalid="ignore", divide="ignore"):
                f[:, _IDX[name]] = np.where(n > 0, hit / n, np.nan)
    if p.titles:
        # computed once per distinct title among the rows (postings share titles), then spread
        tid = take(t.title_id)
        distinct, back = np.unique(tid, return_inverse=True)
        tok = t.title_tok[distinct]
        cos = _dense(t.title_vec[distinct] @ b.title_vecs)  # (distinct titles × seeker titles)
        cover = tok @ b.title_q
        sim = (0.5 * cos + 0.5 * np.minimum(cover, 1.0)) * b.title_w[None, :]
        f[:, _IDX["title"]] = np.where(np.diff(tok.indptr) > 0, sim.max(axis=1), np.nan)[back]
    if p.text_vec.nnz and text is not None:
        f[:, _IDX["text"]] = np.clip(text, 0.0, 1.0)
    elif p.text_vec.nnz:
        f[:, _IDX["text"]] = np.clip(_dense(take(t.text) @ b.text_q).ravel(), 0.0, 1.0)
    rel = _location(p, b, t, take)
    scores = np.array([LOCATION_SCORES.get(name, np.nan) for name in LOCATIONS])
    f[:, _IDX["location"]] = scores[rel]
    if p.doc.min_salary_monthly:
        pay = take(t.salary)
        with np.errstate(invalid="ignore"):
            ratio = np.clip(pay / float(p.doc.min_salary_monthly), 0.0, 1.0)
        f[:, _IDX["salary"]] = np.where(np.isnan(pay), np.nan, ratio**SALARY_SHORTFALL_POWER)
    need = take(t.education)
    f[:, _IDX["education"]] = np.where(need == 0, 1.0, np.nan if p.education == 0 else (p.education >= need))
    if p.job_types:
        jt = take(t.job_type)
        wanted = np.isin(jt, list(p.job_types))
        intern = {JOB_TYPES.index(x) for x in JOB_TYPES if x.is_internship}
        related = np.isin(jt, list(intern)) & bool(p.job_types & intern)
        f[:, _IDX["job_type"]] = np.where(wanted, 1.0, np.where(related, RELATED_JOB_TYPE_SCORE, 0.0))
    if b.occupations is not None:
        occ = take(t.occupation)
        f[:, _IDX["in_field"]] = np.where(occ < 0, np.nan, np.isin(occ, b.occupations))
    age = np.maximum(as_of - take(t.posted), 0.0)
    f[:, _IDX["recency"]] = 0.5 ** (age / RECENCY_HALF_LIFE_DAYS)
    f[:, _IDX["popularity"]] = np.minimum(take(t.popularity) / popularity_scale, 1.0)
    return f, rel


def _dense(x: Any) -> np.ndarray:
    """``x`` (a dense array or a scipy sparse matrix) as a plain dense array."""
    return np.asarray(x) if isinstance(x, np.ndarray) else x.toarray()


def _location(p: Profile, b: Bound, t: JobTable, take: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    country, prov, city_code, city_name = b.loc
    jp, jc, jn = take(t.province), take(t.city_code), take(t.city_name)
    prov_ok = (jp == prov) | (jp == -1) | (prov == -1)
    same_city = ((jc == city_code) & (city_code >= 0)) | ((jn == city_name) & (city_name >= 0) & prov_ok)
    same_prov = (jp == prov) & (prov >= 0)
    pp, pc, pn, pk = b.pref
    preferred = np.isin(jp, pp) | np.isin(jc, pc) | np.isin(jn, pn) | np.isin(take(t.county), pk)
    same_country = (take(t.country) == country) | (country == -1) | (take(t.country) == -1)
    seeker_known = p.place.known or bool(p.prefs)
    rel = np.select(
        [~take(t.loc_known) | (not seeker_known), same_city, same_prov, preferred, same_country],
        [5, 0, 1, 2, 3],
        default=4,
    )
    return rel


def combine(
    f: np.ndarray, weights: np.ndarray, conf: float, gate: float = RELEVANCE_GATE
) -> tuple[np.ndarray, np.ndarray]:
    """``(fit, score)`` per row of the feature matrix ``f`` (``NaN`` = unknown), both 0–1.

    ``fit`` is the weighted mean of the known features (weights renormalised over them), except that
    the context features (all but :data:`~matching.features.RELEVANCE_FEATURES`) are multiplied by
    ``min(1, relevance / gate)``, where relevance is the weighted mean of the known relevance
    features: nearby, well-paid jobs rank first among the seeker's kind of work, not above it.
    No known relevance feature (nothing in the profile to judge the job by) counts as relevance 0:
    an empty profile is unknown, not in agreement with every nearby job. ``gate <= 0``: no gating. ``score`` is ``fit × conf`` (the profile
    completeness confidence)."""
    known = ~np.isnan(f)
    values = np.nan_to_num(f)
    is_rel = np.array([name in RELEVANCE_FEATURES for name in FEATURES])
    w_rel, w_ctx = np.where(is_rel, weights, 0.0), np.where(is_rel, 0.0, weights)
    rel_total = known @ w_rel
    rel_sum = values @ w_rel
    if gate > 0:
        relevance = np.where(rel_total > 0, rel_sum / np.where(rel_total > 0, rel_total, 1.0), 0.0)
        factor = np.clip(relevance / gate, 0.0, 1.0)
    else:
        factor = np.ones(len(f))
    total = known @ weights
    fit = np.where(total > 0, (rel_sum + factor * (values @ w_ctx)) / np.where(total > 0, total, 1.0), 0.0)
    return fit, fit * conf


def explain(p: Profile, b: Bound, t: JobTable, row: int, f: np.ndarray, rel: int, fit: float) -> Explanation:
    """Why job ``row`` of ``t`` matches the profile, in the posting's own wording."""
    matched: list[str] = []
    missing: list[str] = []
    cert_ok: list[str] = []
    cert_missing: list[str] = []
    for wording, col, kind in t.skills(row):
        has = col in b.cols
        if kind == "cert":
            (cert_ok if has else cert_missing).append(wording)
        elif has:
            matched.append(wording)
        elif kind == "req":
            missing.append(wording)
    components = {name: round(float(v), 4) for name, v in zip(FEATURES, f, strict=True) if not math.isnan(v)}
    components["fit"] = round(float(fit), 4)
    components["confidence"] = round(p.confidence, 4)
    salary = f[_IDX["salary"]]
    education = f[_IDX["education"]]
    in_field = f[_IDX["in_field"]]
    return Explanation(
        matched_skills=tuple(matched),
        missing_skills=tuple(missing),
        matched_certificates=tuple(cert_ok),
        missing_certificates=tuple(cert_missing),
        location="elsewhere" if LOCATIONS[rel] == "abroad" else LOCATIONS[rel],
        salary_fit="unknown" if math.isnan(salary) else ("meets" if salary >= 1.0 else "below"),
        education_met=None if math.isnan(education) else bool(education >= 1.0),
        in_field=None if math.isnan(in_field) else bool(in_field),
        components=components,
    )
