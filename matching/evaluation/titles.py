"""Evaluate job-title matching on a TalentCLEF-style test collection (``vocmatch evaluate titles``).

Input files (TalentCLEF 2025 Task A layout, tab-separated, UTF-8):

* queries: header ``q_id<TAB>jobtitle``, one query title per row;
* corpus: header ``c_id<TAB>jobtitle``, one corpus title per row;
* qrels: no header, TREC qrels rows ``q_id<TAB>0<TAB>c_id<TAB>relevance`` (relevance > 0 = relevant).

For every query that has at least one relevant corpus title, each model ranks the whole corpus;
MAP is computed over that full ranking (as TalentCLEF scores it with trec_eval-style AP), with
recall@10, P@5, NDCG@10 and MRR (:mod:`matching.evaluation.metrics`). Two baselines run on the
same data: cosine of TF-IDF character 1–3-grams (``tfidf_char_1_3``) and rapidfuzz ``fuzz.ratio``
(``fuzz_ratio``), both on :func:`vocab.text.normalise`-d titles.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from matching.evaluation.metrics import mean_metrics
from vocab.text import has_cjk, normalise


@dataclass(frozen=True)
class TitleCollection:
    """Queries and corpus titles with their relevance judgements (indices into ``corpus``)."""

    query_ids: tuple[str, ...]
    queries: tuple[str, ...]
    corpus_ids: tuple[str, ...]
    corpus: tuple[str, ...]
    relevant: tuple[frozenset[int], ...]


def _read_titles(path: Path, id_column: str) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
    if not rows or [c.strip() for c in rows[0][:2]] != [id_column, "jobtitle"]:
        raise ValueError(f"{path}, line 1: expected the header '{id_column}<TAB>jobtitle'")
    out, seen = [], set()
    for line, row in enumerate(rows[1:], start=2):
        if not row:
            continue
        if len(row) < 2 or not row[0].strip() or not row[1].strip():
            raise ValueError(f"{path}, line {line}: expected '{id_column}<TAB>jobtitle' with both filled")
        key = row[0].strip()
        if key in seen:
            raise ValueError(f"{path}, line {line}, column {id_column}: duplicate id {key!r}")
        seen.add(key)
        out.append((key, row[1].strip()))
    if not out:
        raise ValueError(f"{path}: no titles")
    return out


def load_collection(queries: str | Path, corpus: str | Path, qrels: str | Path) -> TitleCollection:
    """Read the three files; keep only queries with at least one relevant corpus title.

    Raises ``FileNotFoundError`` for a missing file and ``ValueError`` naming file, line and
    column for a bad header, an empty or duplicate id, a malformed qrels row or a qrels id that is
    in neither file, and when no query has a relevant title.
    """
    qrows = _read_titles(Path(queries), "q_id")
    crows = _read_titles(Path(corpus), "c_id")
    qpos = {q: i for i, (q, _) in enumerate(qrows)}
    cpos = {c: i for i, (c, _) in enumerate(crows)}
    rel: dict[int, set[int]] = {}
    path = Path(qrels)
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=1):
            if not row:
                continue
            if len(row) != 4:
                raise ValueError(f"{path}, line {line}: expected 4 fields 'q_id 0 c_id relevance', got {len(row)}")
            q, _, c, grade = (v.strip() for v in row)
            if q not in qpos:
                raise ValueError(f"{path}, line {line}, column 1: query id {q!r} is not in {queries}")
            if c not in cpos:
                raise ValueError(f"{path}, line {line}, column 3: corpus id {c!r} is not in {corpus}")
            try:
                positive = float(grade) > 0
            except ValueError:
                raise ValueError(f"{path}, line {line}, column 4: relevance {grade!r} is not a number") from None
            if positive:
                rel.setdefault(qpos[q], set()).add(cpos[c])
    kept = [i for i in range(len(qrows)) if rel.get(i)]
    if not kept:
        raise ValueError(f"{path}: no query has a relevant corpus title")
    return TitleCollection(
        query_ids=tuple(qrows[i][0] for i in kept),
        queries=tuple(qrows[i][1] for i in kept),
        corpus_ids=tuple(c for c, _ in crows),
        corpus=tuple(t for _, t in crows),
        relevant=tuple(frozenset(rel[i]) for i in kept),
    )


def rankings_from_scores(scores: np.ndarray) -> list[np.ndarray]:
    """Full rankings (corpus indices, best first; ties in corpus order) from a score matrix."""
    return [np.argsort(-row, kind="stable") for row in np.asarray(scores, dtype=np.float64)]


def evaluate_scores(scores: np.ndarray, relevant: Sequence[frozenset[int]]) -> dict[str, float]:
    """MAP, MRR, recall@10, P@5, NDCG@10 (0–1, rounded to 4 places) of a (queries × corpus) score matrix."""
    means = mean_metrics([r.tolist() for r in rankings_from_scores(scores)], relevant)
    return {k: round(v, 4) for k, v in means.items()}


def tfidf_char_scores(queries: Sequence[str], corpus: Sequence[str]) -> np.ndarray:
    """Baseline: cosine of TF-IDF character 1–3-grams (scikit-learn defaults, fitted on the corpus)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), preprocessor=normalise)
    cmat = vec.fit_transform(corpus)
    return (vec.transform(queries) @ cmat.T).toarray()


def fuzz_ratio_scores(queries: Sequence[str], corpus: Sequence[str]) -> np.ndarray:
    """Baseline: rapidfuzz ``fuzz.ratio`` (normalised Indel similarity, 0–100) of normalised titles."""
    from rapidfuzz import fuzz, process

    return process.cdist(
        [normalise(q) for q in queries],
        [normalise(c) for c in corpus],
        scorer=fuzz.ratio,
        processor=None,
        dtype=np.float32,
    )


def evaluate_titles(
    queries: str | Path,
    corpus: str | Path,
    qrels: str | Path,
    onet_dir: str | Path | None = None,
    embedder: str | None = "e5",
    baselines: bool = True,
    progress: Callable[[str, int, int | None], None] | None = None,
) -> dict[str, Any]:
    """Run :class:`matching.titles.TitleMatcher` and the baselines on one collection.

    Returns ``{"language": "zh"|"en", "queries": n, "corpus": n, "model": {"name", "MAP",
    "recall@10", "P@5", "NDCG@10", "MRR", "seconds", "components"}, "baselines":
    {"tfidf_char_1_3": {...}, "fuzz_ratio": {...}}}`` (metrics 0–1; ``seconds`` = fit + scoring
    wall time). ``language`` is ``zh`` when most corpus titles contain Chinese. Raises what
    :func:`load_collection` and :meth:`TitleMatcher.fit` raise. ``progress("steps", done, 4)`` is
    told the steps done (fit, scoring, the two baselines).
    """
    from matching.titles import TitleMatcher

    tell = progress or (lambda phase, done, total: None)
    steps = 4 if baselines else 2
    tell("steps", 0, steps)
    data = load_collection(queries, corpus, qrels)
    language = "zh" if sum(map(has_cjk, data.corpus)) * 2 > len(data.corpus) else "en"
    start = time.perf_counter()
    model = TitleMatcher(embedder=embedder, onet_dir=onet_dir).fit(list(data.corpus))
    tell("steps", 1, steps)
    scores = model.score(list(data.queries))
    tell("steps", 2, steps)
    seconds = round(time.perf_counter() - start, 1)
    result: dict[str, Any] = {
        "language": language,
        "queries": len(data.queries),
        "corpus": len(data.corpus),
        "model": {
            "name": "TitleMatcher",
            **evaluate_scores(scores, data.relevant),
            "seconds": seconds,
            "components": model.weights_,
        },
        "baselines": {},
    }
    if baselines:
        tfidf = evaluate_scores(tfidf_char_scores(data.queries, data.corpus), data.relevant)
        tell("steps", 3, steps)
        fuzz_ratio = evaluate_scores(fuzz_ratio_scores(data.queries, data.corpus), data.relevant)
        tell("steps", 4, steps)
        result["baselines"] = {"tfidf_char_1_3": tfidf, "fuzz_ratio": fuzz_ratio}
    return result
