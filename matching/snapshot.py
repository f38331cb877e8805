"""A fitted :class:`~matching.content.ContentRanker` as a directory of ``.npy`` files, loadable memory-mapped.

Issue 18: one index per host, built by one process and shared by every worker. Every per-posting
part of a fitted ranker is a numpy array (:mod:`matching.index`), so :func:`save` writes each as
an ``.npy`` file (``np.save``) and :func:`load` opens them with ``np.load(mmap_mode="r")``: the
pages come from the operating system's page cache, shared by every process that maps the same
files, and read only when touched. What is not an array — the vocabularies (skill keys, title
tokens, places, occupations, distinct titles, employers and skill wordings), the title IDF, the
parameters — is small (it grows with the vocabularies, not with the postings) and goes into one
pickle, unpickled by each process.

Layout of a snapshot directory::

    meta.json         format, parameters, scalars, and for each array file its kind
    vocab.pickle      the dictionaries and lists
    <name>.npy        one per array (a sparse matrix or inverted list: <name>.data/.indices/.indptr)

The documents (``table_.jobs``) are never written: a loaded ranker has ``table_.jobs = None`` and
answers, explains and extends (:meth:`~matching.content.ContentRanker.extend`) without them. The
taxonomy is not written either (the loading process passes its own, the one the ranker was fitted
with). A snapshot is written into a new directory and then renamed into place by the caller, so a
reader never sees half of one.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import scipy.sparse as sp

from matching.index import JobTable, Positions, Postings
from matching.ngrams import CharNgramTfidf

if TYPE_CHECKING:
    from matching.content import ContentRanker
    from matching.taxonomy import Taxonomy

FORMAT = "vocmatch-content-ranker/1"
#: The ranker's own arrays and indexes (besides the table's), by attribute name.
RANKER_ARRAYS = (
    "weights_",
    "position_",
    "skill_index_",
    "title_index_",
    "text_columns_",
    "prior_order_",
    "place_rows_",
)
#: Parameters written to ``meta.json`` (all of ``get_params`` but the taxonomy and the ``today`` calendar,
#: which :func:`load` is given again).
PARAMS = (
    "n_candidates",
    "max_postings",
    "max_query_terms",
    "description_chars",
    "max_items",
    "weights",
    "max_term_postings",
)


def _index_dtype(indptr: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Both index arrays in one dtype (int32 when every value fits): scipy converts mismatched ones
    when it builds a matrix, which would copy a memory-mapped array into private memory."""
    fits = (len(indptr) == 0 or int(indptr[-1]) < 2**31) and (len(indices) == 0 or int(indices.max()) < 2**31)
    dtype = np.int32 if fits else np.int64
    return indptr.astype(dtype, copy=False), indices.astype(dtype, copy=False)


def _write(directory: Path, name: str, value: Any, kinds: dict[str, Any]) -> bool:
    """Write ``value`` as ``.npy`` file(s) if it is an array-like part; say whether it was."""
    if isinstance(value, np.ndarray):
        np.save(directory / f"{name}.npy", value, allow_pickle=False)
        kinds[name] = ["array"]
    elif isinstance(value, (sp.csr_matrix, sp.csc_matrix)):
        if not value.has_sorted_indices:
            value = value.sorted_indices()
        indptr, indices = _index_dtype(value.indptr, value.indices)
        for part, arr in (("data", value.data), ("indices", indices), ("indptr", indptr)):
            np.save(directory / f"{name}.{part}.npy", arr, allow_pickle=False)
        kinds[name] = [value.format, list(value.shape)]
    elif isinstance(value, Postings):
        for part, arr in (("indices", value.indices), ("indptr", value.indptr)):
            np.save(directory / f"{name}.{part}.npy", arr, allow_pickle=False)
        kinds[name] = ["postings"]
    elif isinstance(value, Positions):
        for part, arr in (("ids", value.ids), ("rows", value.rows)):
            np.save(directory / f"{name}.{part}.npy", arr, allow_pickle=False)
        kinds[name] = ["positions"]
    elif isinstance(value, dict) and value and all(isinstance(v, Postings) for v in value.values()):
        kinds[name] = ["postings-by", sorted(value)]
        for k, v in value.items():
            _write(directory, f"{name}.{k}", v, {})
    else:
        return False
    return True


def _read(directory: Path, name: str, kind: list[Any], mmap: bool) -> Any:
    mode: Literal["r"] | None = "r" if mmap else None

    def arr(part: str) -> np.ndarray:
        return np.load(directory / f"{part}.npy", mmap_mode=mode, allow_pickle=False)

    if kind[0] == "array":
        return np.load(directory / f"{name}.npy", mmap_mode=mode, allow_pickle=False)
    if kind[0] in ("csr", "csc"):
        make = sp.csr_matrix if kind[0] == "csr" else sp.csc_matrix
        m = make((arr(f"{name}.data"), arr(f"{name}.indices"), arr(f"{name}.indptr")), shape=tuple(kind[1]), copy=False)
        m.has_sorted_indices = True  # written sorted; saves scipy a check (and an attempt to sort in place)
        return m
    if kind[0] == "postings":
        return Postings(indptr=arr(f"{name}.indptr"), indices=arr(f"{name}.indices"))
    if kind[0] == "positions":
        return Positions(arr(f"{name}.ids"), arr(f"{name}.rows"))
    if kind[0] == "postings-by":
        return {k: _read(directory, f"{name}.{k}", ["postings"], mmap) for k in kind[1]}
    raise ValueError(f"{directory}: unknown kind {kind!r} of {name}")


def save(ranker: ContentRanker, directory: str | Path) -> Path:
    """Write the fitted ``ranker`` into ``directory`` (created; must not exist or be empty). Returns it."""
    ranker._check_fitted()
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    if any(out.iterdir()):
        raise FileExistsError(f"{out} is not empty: write a snapshot into a new directory")
    table: dict[str, list[Any]] = {}
    own: dict[str, list[Any]] = {}
    vocab: dict[str, Any] = {"table": {}}
    t = ranker.table_
    for name, value in vars(t).items():
        if name == "jobs":
            continue
        if not _write(out, f"table.{name}", value, table):
            vocab["table"][name] = value
    for name in RANKER_ARRAYS:
        if not _write(out, name, getattr(ranker, name), own):
            raise TypeError(f"{name} is not an array part")
    for name, vec in (("text_vectorizer_", ranker.text_vectorizer_), ("title_vectorizer_", ranker.title_vectorizer_)):
        _write(out, f"{name}.vocabulary", vec.vocabulary, own)
        _write(out, f"{name}.idf", vec.idf, own)
    vocab["title_idf_"] = ranker.title_idf_
    with (out / "vocab.pickle").open("wb") as fh:
        pickle.dump(vocab, fh, protocol=pickle.HIGHEST_PROTOCOL)
    meta = {
        "format": FORMAT,
        "params": {p: getattr(ranker, p) for p in PARAMS},
        "as_of": ranker.as_of.isoformat() if ranker.as_of else None,
        "default_idf_": ranker.default_idf_,
        "popularity_scale_": ranker.popularity_scale_,
        "table": table,
        "ranker": own,
    }
    (out / "meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")
    return out


def load(
    directory: str | Path,
    taxonomy: Taxonomy | None = None,
    mmap: bool = True,
    today: Callable[[], dt.date] | None = None,
) -> ContentRanker:
    """The ranker :func:`save` wrote into ``directory``, with ``taxonomy`` (the one it was fitted with) and
    the ``today`` calendar (:class:`~matching.content.ContentRanker`).

    ``mmap=True``: arrays are read-only memory maps of the files (shared between processes, paged
    in when used); ``False``: read into private memory. Raises ``ValueError`` for another format."""
    from matching.content import ContentRanker

    src = Path(directory)
    meta = json.loads((src / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != FORMAT:
        raise ValueError(f"{src}: not a {FORMAT} snapshot (format {meta.get('format')!r})")
    with (src / "vocab.pickle").open("rb") as fh:
        vocab = pickle.load(fh)  # written by save() of this host's indexer, not user input
    as_of = dt.date.fromisoformat(meta["as_of"]) if meta["as_of"] else None
    ranker = ContentRanker(taxonomy=taxonomy, as_of=as_of, today=today, keep_docs=False, **meta["params"])
    fields = {name.removeprefix("table."): _read(src, name, kind, mmap) for name, kind in meta["table"].items()}
    ranker.table_ = JobTable(jobs=None, **fields, **vocab["table"])
    own = meta["ranker"]
    for name in RANKER_ARRAYS:
        setattr(ranker, name, _read(src, name, own[name], mmap))
    for name in ("text_vectorizer_", "title_vectorizer_"):
        vec = CharNgramTfidf()
        vec.vocabulary = _read(src, f"{name}.vocabulary", own[f"{name}.vocabulary"], mmap)
        vec.idf = _read(src, f"{name}.idf", own[f"{name}.idf"], mmap)
        setattr(ranker, name, vec)
    ranker.title_idf_ = vocab["title_idf_"]
    ranker.default_idf_ = meta["default_idf_"]
    ranker.popularity_scale_ = meta["popularity_scale_"]
    return ranker
