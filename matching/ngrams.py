"""TF-IDF over character n-grams 1–3 within word boundaries, counted with numpy.

Produces the same matrix as scikit-learn's
``TfidfVectorizer(analyzer="char_wb", ngram_range=(1, 3), lowercase=False, sublinear_tf=True)``
(checked in ``tests/matching/test_ngrams.py``), with sklearn's ``TfidfTransformer`` doing the
weighting, but counts the n-grams with vectorised array operations instead of sklearn's
per-n-gram Python loop, which measured about 230 µs per 100-character posting (3 s for 14,000
postings) against a few milliseconds here. ``char_wb`` pads every word with one space on each
side and takes the n-grams inside the padded word, so an n-gram never spans two words; on the
text joined with single spaces that is every window whose interior is not a space. Texts are
expected to be :func:`vocab.text.normalise`-d already (single spaces).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfTransformer

_SPACE = 32
_SEP = 0  # separates documents in the joined buffer (normalised text never contains NUL)
_SHIFT = np.uint64(21)  # Unicode code points fit in 21 bits
#: Texts cut into n-grams at a time by :meth:`CharNgramTfidf.fit_transform` (bounds its peak memory).
CHUNK = 20_000


def _codes(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(document index, n-gram code) of every n-gram, plus each document's word count."""
    padded = [f" {t} " if t else "" for t in texts]
    buf = np.frombuffer("\0".join(padded).encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(p) + 1 for p in padded), dtype=np.int64, count=len(padded))
    doc = np.repeat(np.arange(len(texts), dtype=np.int64), lengths)[: len(buf)]
    words = np.fromiter((t.count(" ") + 1 if t else 0 for t in texts), dtype=np.int64, count=len(texts))
    a = buf
    is_sep, is_space = a == _SEP, a == _SPACE
    ok1 = ~is_sep & ~is_space  # space unigrams are added per word below, as sklearn counts them
    b, c = a[1:], a[2:]
    ok2 = ~is_sep[:-1] & ~is_sep[1:] & ~(is_space[:-1] & is_space[1:])
    ok3 = ~is_sep[:-2] & ~is_sep[1:-1] & ~is_sep[2:] & ~is_space[1:-1]
    codes = np.concatenate(
        [
            a[ok1],
            (a[:-1][ok2] << _SHIFT) | b[ok2],
            (a[:-2][ok3] << (_SHIFT * np.uint64(2))) | (b[:-1][ok3] << _SHIFT) | c[ok3],
        ]
    )
    docs = np.concatenate([doc[ok1], doc[:-1][ok2], doc[:-2][ok3]])
    return docs, codes, words


def _unique_counts(a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values of ``a`` and how often each occurs (sort-based: numpy 2's hash-based
    ``np.unique`` is far slower on millions of 64-bit keys)."""
    if not len(a):
        return a, np.zeros(0, dtype=np.int64)
    s = np.sort(a)
    starts = np.flatnonzero(np.concatenate(([True], s[1:] != s[:-1])))
    return s[starts], np.diff(np.append(starts, len(s)))


def decode(code: int) -> str:
    """The n-gram string of a code (for inspection and tests)."""
    chars = []
    while code:
        chars.append(chr(code & 0x1FFFFF))
        code >>= 21
    return "".join(reversed(chars))


class CharNgramTfidf:
    """Fit on texts, then turn texts into L2-normalised TF-IDF rows (float32 CSR).

    ``vocabulary`` is the sorted array of n-gram codes (:func:`decode` turns one back into text);
    ``idf`` comes from sklearn's ``TfidfTransformer`` (smooth idf: ``ln((1 + n) / (1 + df)) + 1``).
    """

    def __init__(self) -> None:
        self.vocabulary = np.zeros(0, dtype=np.uint64)
        self.transformer = TfidfTransformer(sublinear_tf=True)
        self.idf = np.zeros(0, dtype=np.float32)

    def _counts(self, docs: np.ndarray, cols: np.ndarray, words: np.ndarray) -> sp.csr_matrix:
        """Count matrix from the (document, column) pair of every n-gram, plus 2 spaces per word."""
        n_docs, n_cols = len(words), len(self.vocabulary)
        with_words = np.flatnonzero(words > 0)
        space = np.searchsorted(self.vocabulary, np.uint64(_SPACE))
        key = docs * n_cols + cols
        keys, counts = _unique_counts(key)
        counts = counts.astype(np.float32)
        if len(with_words):  # the space column sorts first (code 32 is the smallest printable)
            keys = np.concatenate([keys, with_words * n_cols + space])
            counts = np.concatenate([counts, (2 * words[with_words]).astype(np.float32)])
            order = np.argsort(keys, kind="stable")
            keys, counts = keys[order], counts[order]
        row = keys // max(n_cols, 1)
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(row, minlength=n_docs), out=indptr[1:])
        return sp.csr_matrix((counts, (keys % max(n_cols, 1)).astype(np.int32), indptr), shape=(n_docs, n_cols))

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Learn the vocabulary and idf from ``texts`` and return their TF-IDF rows.

        Texts are cut into n-grams :data:`CHUNK` at a time (the n-gram codes of all texts at once
        took about 11 KB per posting at peak, ten times the result): a first pass collects the
        vocabulary, a second counts each chunk against it; the transformer then weights the whole
        count matrix, which is the same matrix as counting all texts at once."""
        vocabulary = np.zeros(0, dtype=np.uint64)
        any_words = False
        for start in range(0, len(texts), CHUNK):
            _, codes, words = _codes(texts[start : start + CHUNK])
            vocabulary = np.union1d(vocabulary, _unique_counts(codes)[0])
            any_words = any_words or bool((words > 0).any())
        if any_words:
            vocabulary = np.union1d(vocabulary, np.array([_SPACE], dtype=np.uint64))
        self.vocabulary = vocabulary
        parts = []
        for start in range(0, len(texts), CHUNK):
            docs, codes, words = _codes(texts[start : start + CHUNK])
            cols = np.searchsorted(self.vocabulary, codes).astype(np.int64)
            parts.append(self._counts(docs, cols, words))
        if len(parts) == 1:
            counts = parts[0]
        elif parts:
            counts = sp.vstack(parts, format="csr")
        else:
            counts = sp.csr_matrix(np.zeros((0, len(self.vocabulary)), dtype=np.float32))
        del parts
        if not len(self.vocabulary):  # nothing but empty texts: no features at all
            self.idf = np.zeros(0, dtype=np.float32)
            return counts
        # weighted in place: the counts are not needed afterwards (fit_transform would copy them)
        out = self.transformer.fit(counts).transform(counts, copy=False).tocsr().astype(np.float32, copy=False)
        self.idf = self.transformer.idf_.astype(np.float32)
        return out

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """TF-IDF rows of ``texts`` under the fitted vocabulary (unseen n-grams are dropped)."""
        docs, codes, words = _codes(texts)
        col = np.searchsorted(self.vocabulary, codes)
        known = col < len(self.vocabulary)
        known[known] = self.vocabulary[col[known]] == codes[known]
        if len(self.vocabulary) == 0 or self.vocabulary[0] != _SPACE:
            words = np.zeros_like(words)
        out = self._counts(docs[known], col[known].astype(np.int64), words)
        out.data = (1.0 + np.log(out.data)) * self.idf[out.indices]  # sublinear tf × idf, as the transformer
        row = np.repeat(np.arange(out.shape[0]), np.diff(out.indptr))
        norms = np.sqrt(np.bincount(row, weights=out.data.astype(np.float64) ** 2, minlength=out.shape[0]))
        out.data /= np.where(norms > 0, norms, 1.0)[row].astype(np.float32)
        return out
