"""The numpy char_wb TF-IDF gives the same matrix as scikit-learn's TfidfVectorizer."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from matching.ngrams import CharNgramTfidf, decode
from vocab.text import normalise

TEXTS = [
    normalise(t)
    for t in [
        "Line Cook",
        "Prep Cook / Dishwasher",
        "数控车工 数控编程 CNC",
        "a",
        "",
        "熟悉C#和.NET开发",
        "Line Cook Line Cook",
        "維修電工 电工证 3年经验",
        "Cashier @ Macy's - Garden City, NY",
    ]
]


def _sklearn() -> TfidfVectorizer:
    return TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), lowercase=False, sublinear_tf=True, dtype=np.float32)


def test_fit_transform_equals_sklearn() -> None:
    ref = _sklearn()
    expected = ref.fit_transform(TEXTS)
    ours = CharNgramTfidf()
    got = ours.fit_transform(TEXTS)
    names = [decode(int(c)) for c in ours.vocabulary]
    assert sorted(names) == sorted(ref.vocabulary_)
    reordered = expected[:, [ref.vocabulary_[n] for n in names]]
    assert got.shape == reordered.shape
    assert abs(got - reordered).max() < 1e-6


def test_transform_equals_sklearn_including_unseen_ngrams() -> None:
    ref, ours = _sklearn(), CharNgramTfidf()
    ref.fit(TEXTS)
    ours.fit_transform(TEXTS)
    queries = [normalise(q) for q in ["line cook newark", "数控 编程", "zzz", "", "cook cook cook"]]
    names = [decode(int(c)) for c in ours.vocabulary]
    expected = ref.transform(queries)[:, [ref.vocabulary_[n] for n in names]]
    got = ours.transform(queries)
    assert abs(got - expected).max() < 1e-6
    assert [decode(int(ours.vocabulary[c])) for c in got[2].indices] == [" "]  # only the word padding is known
    assert got[3].nnz == 0  # nothing at all: an empty row, not NaN
    assert np.isfinite(got.data).all()


def test_empty_corpus() -> None:
    ours = CharNgramTfidf()
    assert ours.fit_transform(["", ""]).shape == (2, 0)
    assert ours.transform(["line cook"]).nnz == 0
