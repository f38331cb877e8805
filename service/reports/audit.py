"""Exact audit of a suppression pattern by integer linear programming, and protection until it passes.

An attacker sees every published cell and knows every additive relation of the report (within a
row: graduates = Σ destinations, employed ⊃ categories, salary known ⊃ bands, graduates ⊃ Q2/Q4
measurable …; across rows: the groups of each breakdown add up to the total, regions to their
parents). Each hidden cell is then an unknown non-negative integer, and the feasible values of a
hidden cell ``c`` range from ``min x_c`` to ``max x_c`` over the integer solutions of

    Σ hidden parts − hidden total = published total − Σ published parts     (every relation)
    0 <= x <= U                                                                (U: the largest total)

— the attacker's problem of Hundepool et al., *Statistical Disclosure Control* (Wiley 2012),
§4.3.3 (the "audit" of a suppression pattern, solved exactly as an integer program) and §4.2.2
(the protection interval: a sensitive cell's feasible range must span at least the protection
level). :func:`audit` solves it with HiGHS per connected group of hidden cells (groups share no
relation, so each is its own program); :func:`protect` hides more cells until the audit finds

1. no hidden cell with a non-zero count pinned to one value (a hidden 0 tells nobody anything
   about anyone, and zeros that every relation forces cannot be helped), and
2. every primary cell (``1 <= count < threshold``) with a feasible range of at least ``threshold``.

Fast enough to audit every publication (``bench/bench_audit.py``: a school's report in a tenth of a
second, a province's in a few CPU seconds, against 4 s and an hour for one new program per solve):

* a group's program is built once (``highspy``) and only its objective changes between solves, so
  each solve starts from the last optimal basis; the linear relaxation's optimum is used when it is
  integral (then it is the integer optimum), branch and bound (``scipy.optimize.milp``) only otherwise;
* the audit first looks for far-apart feasible solutions (push all unproven cells up together, then
  down): every solution widens the observed range of every cell at once, and only the cells still
  unproven get their own maximum and, if needed, minimum;
* ranges witnessed in one round of :func:`protect` stay witnessed in the next (:data:`Ranges`), and
  the heuristic closes the implied row relations and the threshold sums before the first audit, so
  few rounds remain;
* the programs leave out the relations that are sums of others (:func:`_independent`): the national
  sums over cities, counties and schools made the whole country one program; without them a
  national report (≈110,000 cells) splits into hundreds of small ones — about 17 CPU seconds at a
  million graduates, where the single program had not finished after 70 CPU seconds;
* :func:`publication_pattern` caches the pattern per report and nests the patterns of the
  thresholds a user may ask for (publishing at several thresholds reveals no more than at the lowest).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

import highspy
import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array, csc_array, csr_array
from scipy.sparse.csgraph import connected_components

from service.reports.suppression import Relation, Suppressor

Cell = tuple[Hashable, str]


@dataclass(frozen=True, slots=True)
class Finding:
    """A hidden cell the audit does not pass: its feasible range and why it fails."""

    cell: Cell
    low: float
    high: float
    reason: str  # "pinned" or "narrow"


def _relations(values: Mapping[Cell, int], relations: Iterable[Relation]) -> list[list[tuple[Cell, int]]]:
    """Every relation as ``[(cell, coefficient)]`` (parts +1, total −1) over cells that exist."""
    out = []
    for total, parts in relations:
        terms = [(c, 1) for c in parts if c in values]
        if total in values:
            terms.append((total, -1))
        if len(terms) > 1:
            out.append(terms)
    return out


def _independent(rels: list[list[tuple[Cell, int]]]) -> list[int]:
    """The relations the attacker's program needs: ``rels`` less those that are sums of the others.

    A relation ``T = Σ P`` is dropped when another relation with the same total, ``T = Σ Q``, turns
    into it by replacing cells of ``Q`` with the parts of relations of which they are the total
    (recursively; each leaf in ``P``, every cell of ``P`` reached exactly once): then the dropped
    equation is the sum of the equations used, and the integer solutions — the attacker's feasible
    values — are the same with or without it (Hundepool et al., *Statistical Disclosure Control*,
    Wiley 2012, §4.3.3: the audit is over the linear system of the published relations; any
    equation in the span of the others adds nothing). A relation is only ever justified by
    relations still kept at that moment, so every dropped one is a sum of kept ones.

    What it is for: a national report has ``total = Σ provinces``, ``= Σ cities``, ``= Σ counties``
    and ``= Σ schools`` in every column. The last three follow from the first and the region
    hierarchy (province ⊃ cities ⊃ counties ⊃ schools), yet each ties the hidden cells of every
    province together, so the whole country was one program. Without them the hidden cells group
    by the regions whose published cells separate them (a county, a city, …): many small programs
    with the same solutions."""
    total_of: list[Cell | None] = []
    by_total: dict[Cell, list[int]] = {}
    for i, terms in enumerate(rels):
        total = next((c for c, k in terms if k < 0), None)
        total_of.append(total)
        if total is not None:
            by_total.setdefault(total, []).append(i)
    dropped = [False] * len(rels)

    def leaves(cell: Cell, target: set[Cell], skip: tuple[int, int], depth: int, out: list[Cell]) -> bool:
        if cell in target:
            out.append(cell)
            return True
        if depth == 0:
            return False
        for r in by_total.get(cell, ()):
            if r in skip or dropped[r]:
                continue
            mark = len(out)
            if all(leaves(c, target, skip, depth - 1, out) for c, k in rels[r] if k > 0):
                return True
            del out[mark:]
        return False

    for i, total in enumerate(total_of):
        if total is None or len(by_total[total]) < 2:
            continue
        target = {c for c, k in rels[i] if k > 0}
        for s in by_total[total]:
            if s == i or dropped[s]:
                continue
            out: list[Cell] = []
            if all(leaves(c, target, (i, s), _DEPTH, out) for c, k in rels[s] if k > 0):
                if len(out) == len(target) and set(out) == target:
                    dropped[i] = True
                    break
    return [i for i in range(len(rels)) if not dropped[i]]


#: How deep :func:`_independent` follows relations (national total → province → city → county → school
#: is 4; a relation deeper than this is simply kept).
_DEPTH = 6


def _components(hidden: set[Cell], rels: list[list[tuple[Cell, int]]]) -> list[tuple[list[Cell], list[int]]]:
    """Hidden cells grouped by the relations that join them: (cells, indices of their relations)."""
    parent = {c: c for c in hidden}

    def find(c: Cell) -> Cell:
        while parent[c] != c:
            parent[c] = parent[parent[c]]
            c = parent[c]
        return c

    touching: list[int] = []
    for i, terms in enumerate(rels):
        cells = [c for c, _ in terms if c in hidden]
        if not cells:
            continue
        touching.append(i)
        root = find(cells[0])
        for c in cells[1:]:
            other = find(c)
            if other != root:
                parent[other] = root
    groups: dict[Cell, list[Cell]] = {}
    for c in sorted(hidden, key=str):  # the same groups in the same order in every process
        groups.setdefault(find(c), []).append(c)
    rel_of: dict[Cell, list[int]] = {}
    for i in touching:
        root = find(next(c for c, _ in rels[i] if c in hidden))
        rel_of.setdefault(root, []).append(i)
    return [(cells, rel_of.get(root, [])) for root, cells in groups.items()]


class _Grouping:
    """:func:`_components` for one report's relations, prepared once for every round of
    :func:`protect`: the relations as a sparse relation × cell matrix (cells numbered in the order
    of their ``str``, as :func:`_components` sorts them), the groups as the connected components of
    the hidden cells and the relations touching them (``scipy.sparse.csgraph``) — the same groups,
    cells and relations in the same order as :func:`_components`, without a Python loop over every
    term of every relation each round.

    ``kept`` (:func:`_independent`): the groups are those of these relations only (smaller; the
    same integer solutions), and :meth:`groups` also gives each hidden cell's position in the groups
    over all of ``rels`` (the order the findings are reported in); ``None``: all relations."""

    def __init__(self, values: Mapping[Cell, int], rels: list[list[tuple[Cell, int]]], kept: list[int] | None) -> None:
        self.cells = sorted({c for terms in rels for c, _ in terms} | set(values), key=str)
        self.rank = {c: j for j, c in enumerate(self.cells)}
        self.full = self._matrix(rels, range(len(rels)))
        self.kept = None if kept is None or len(kept) == len(rels) else np.asarray(kept, dtype=np.int64)
        self.sub = None if kept is None or self.kept is None else self._matrix(rels, kept)

    def _matrix(self, rels: list[list[tuple[Cell, int]]], ids: Iterable[int]) -> csc_array:
        rows, cols = [], []
        for r, i in enumerate(ids):
            for c, _ in rels[i]:
                rows.append(r)
                cols.append(self.rank[c])
        n = max(rows, default=-1) + 1
        data = np.ones(len(rows), dtype=np.int8)
        return csr_array((data, (rows, cols)), shape=(n, len(self.cells))).tocsc()

    def _components(self, matrix: csc_array, h: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Groups of the hidden cells ``h`` (ranks, ascending): (cell positions in ``h``, relation rows)."""
        k = len(h)
        part = csr_array(matrix[:, h]).tocoo()
        rel_rows, cell_cols = part.row, part.col
        n = matrix.shape[0]
        graph = coo_array((np.ones(len(rel_rows), dtype=np.int8), (cell_cols, k + rel_rows)), shape=(k + n, k + n))
        _, labels = connected_components(graph, directed=False)
        cell_labels = labels[:k]
        # groups in the order of their first cell (cells are in str order): as _components
        _, first = np.unique(cell_labels, return_index=True)
        group_of_label = np.empty(labels.max() + 1, dtype=np.int64)
        group_of_label[cell_labels[np.sort(first)]] = np.arange(len(first))
        cell_group = group_of_label[cell_labels]
        touching = np.unique(rel_rows)
        rel_group = group_of_label[labels[k + touching]]
        cell_order = np.argsort(cell_group, kind="stable")
        rel_order = np.argsort(rel_group, kind="stable")
        cell_cuts = np.searchsorted(cell_group[cell_order], np.arange(1, len(first)))
        rel_cuts = np.searchsorted(rel_group[rel_order], np.arange(1, len(first)))
        return list(zip(np.split(cell_order, cell_cuts), np.split(touching[rel_order], rel_cuts), strict=True))

    def groups(self, hidden: set[Cell]) -> tuple[list[tuple[list[Cell], list[int]]], dict[Cell, int] | None]:
        """The groups of ``hidden`` as :func:`_components` gives them (over the kept relations if
        any), and — with kept relations — each hidden cell's position in the groups over all."""
        if not hidden:
            return [], None
        h = np.sort(np.fromiter((self.rank[c] for c in hidden), dtype=np.int64, count=len(hidden)))
        cells = [self.cells[j] for j in h]

        def listed(matrix: csc_array, ids: np.ndarray | None) -> list[tuple[list[Cell], list[int]]]:
            return [
                ([cells[j] for j in members], (rows if ids is None else ids[rows]).tolist())
                for members, rows in self._components(matrix, h)
            ]

        if self.sub is None:
            return listed(self.full, None), None
        order = {cells[j]: pos for pos, j in enumerate(np.concatenate([m for m, _ in self._components(self.full, h)]))}
        return listed(self.sub, self.kept), order


class _Problem:
    """The attacker's program for one group of hidden cells, built once: every solve changes only
    the objective, so HiGHS (``highspy``) starts each from the previous optimal basis — a few
    simplex pivots instead of a new model per cell.

    Each solve is the linear relaxation first: the relations are sums with coefficients ±1, whose
    optimal vertices are mostly integral, and an integral optimum of the relaxation is an optimum of
    the integer program; only a fractional one goes to the branch and bound (``scipy.optimize.milp``)."""

    def __init__(
        self,
        cells: list[Cell],
        rel_ids: list[int],
        rels: list[list[tuple[Cell, int]]],
        values: Mapping[Cell, int],
        upper: int,
    ) -> None:
        self.cells = cells
        n = len(cells)
        index = {c: j for j, c in enumerate(cells)}
        rows, cols, data, rhs = [], [], [], []
        for r, i in enumerate(rel_ids):
            known = 0
            for c, k in rels[i]:
                if c in index:
                    rows.append(r)
                    cols.append(index[c])
                    data.append(k)
                else:
                    known += k * values[c]
            rhs.append(-known)
        matrix = csr_array((data, (rows, cols)), shape=(len(rel_ids), n))
        self.constraint = LinearConstraint(matrix, rhs, rhs) if rel_ids else None
        self.bounds = Bounds(np.zeros(n), np.full(n, float(upper)))
        self.integrality = np.ones(n, dtype=np.int64)  # every variable an integer (scipy milp)
        self.solves = 0
        self.branched = 0
        csc = matrix.tocsc()
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, len(rel_ids)
        lp.col_cost_ = np.zeros(n)
        lp.col_lower_, lp.col_upper_ = self.bounds.lb, self.bounds.ub
        lp.row_lower_ = lp.row_upper_ = np.asarray(rhs, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = csc.indptr.astype(np.int32)
        lp.a_matrix_.index_ = csc.indices.astype(np.int32)
        lp.a_matrix_.value_ = csc.data.astype(float)
        self.highs = highspy.Highs()
        self.highs.silent()
        self.highs.setOptionValue("threads", 1)  # the machine's cores serve the web requests
        self.highs.passModel(lp)
        self.columns = np.arange(n, dtype=np.int32)

    def solve(self, objective: np.ndarray) -> np.ndarray:
        """An integer solution minimising ``objective`` (the true values make the program feasible)."""
        self.solves += 1
        h = self.highs
        h.changeColsCost(len(objective), self.columns, objective)
        h.run()
        if h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            x = np.asarray(h.getSolution().col_value)
            if np.allclose(x, np.rint(x), atol=1e-6):
                return np.rint(x)
        self.branched += 1
        constraints = self.constraint or ()
        res = milp(objective, constraints=constraints, bounds=self.bounds, integrality=self.integrality)
        if res.x is None:  # pragma: no cover - the published values come from a real solution
            raise RuntimeError(f"suppression audit: the attacker's program has no solution ({res.message})")
        return np.rint(res.x)


#: Witnessed feasible ranges of hidden cells, ``cell -> (lowest, highest)`` value seen in an integer
#: solution of the attacker's program. Hiding more cells only relaxes that program (a published
#: value becomes one more unknown), so a solution stays a solution — with the newly hidden cells at
#: their true values — and a range witnessed once stays witnessed: :func:`protect` keeps them
#: across its rounds and audits only what is not proven yet.
Ranges = dict[Cell, tuple[float, float]]


def audit(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    hidden: set[Cell],
    threshold: int,
    ranges: Ranges | None = None,
) -> list[Finding]:
    """The hidden cells an attacker could pin down (non-zero count, one feasible value) or narrow
    too far (a primary cell whose feasible range is shorter than ``threshold``). Empty: the
    pattern passes. ``relations`` as for :func:`service.reports.suppression.suppress`.

    ``ranges``: witnessed ranges from an audit of a subset of ``hidden`` (:data:`Ranges`); read
    and widened in place. A cell's range is settled by the solves shared by all the cells of its
    group first (push all unproven cells up together, then down together: each solution widens
    every cell's range at once), then by its own maximum and, if still needed, its minimum."""
    rels = _relations(values, relations)
    return _audit(values, rels, hidden, threshold, {} if ranges is None else ranges)


def _audit(
    values: Mapping[Cell, int],
    rels: list[list[tuple[Cell, int]]],
    hidden: set[Cell],
    threshold: int,
    ranges: Ranges,
    grouping: _Grouping | None = None,
) -> list[Finding]:
    """:func:`audit` over relations already in :func:`_relations` form.

    ``grouping``: how the hidden cells are grouped (:class:`_Grouping`; its kept relations, by
    default :func:`_independent`'s, are the ones the programs are built from: the same integer
    solutions as all of ``rels``, in smaller groups). The
    findings are the same either way — a cell fails exactly when the maximum and minimum of its own
    program say so, whatever was witnessed before — and come in the same order: that of the groups
    over all of ``rels`` (which :func:`protect`'s choice of cells to hide next depends on)."""
    upper = max([*values.values(), 1])
    findings: list[Finding] = []
    if grouping is None:
        grouping = _Grouping(values, rels, _independent(rels))
    groups, order = grouping.groups(hidden)
    for cells, rel_ids in groups:
        truth = np.array([values[c] for c in cells], dtype=float)
        low = np.array([ranges.get(c, (v, v))[0] for c, v in zip(cells, truth, strict=True)])
        high = np.array([ranges.get(c, (v, v))[1] for c, v in zip(cells, truth, strict=True)])
        need = np.array([0 if values[c] == 0 else threshold if values[c] < threshold else 1 for c in cells])

        def open_cells() -> np.ndarray:
            return np.flatnonzero((need > 0) & (high - low < need))

        if len(open_cells()):
            problem = _Problem(cells, rel_ids, rels, values, upper)

            def widen(x: np.ndarray) -> None:
                np.minimum(low, x, out=low)
                np.maximum(high, x, out=high)

            for sign in (-1.0, 1.0):
                todo = open_cells()
                if not len(todo):
                    break
                objective = np.zeros(len(cells))
                objective[todo] = sign
                widen(problem.solve(objective))
            for j in open_cells():
                for sign in (-1.0, 1.0):  # maximise, then (if still needed) minimise
                    if high[j] - low[j] >= need[j]:
                        break
                    objective = np.zeros(len(cells))
                    objective[j] = sign
                    widen(problem.solve(objective))
                if high[j] - low[j] < need[j]:
                    reason = "pinned" if high[j] == low[j] else "narrow"
                    findings.append(Finding(cells[j], low[j], high[j], reason))
        for j, c in enumerate(cells):
            ranges[c] = (low[j], high[j])
    if order is not None:
        findings.sort(key=lambda f: order[f.cell])
    return findings


def protect(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    threshold: int,
    row_total: str = "graduates",
    start: Iterable[Cell] = (),
    implied: Iterable[Relation] = (),
    ranges: Ranges | None = None,
    decompose: bool = True,
) -> set[Cell]:
    """The cells to hide: :func:`~service.reports.suppression.suppress`'s pattern (grown from
    ``start``, cells hidden whatever happens), then more until :func:`audit` passes. For each
    failing cell another cell of one of its relations is hidden (the smallest visible non-zero one;
    else of any relation of its group), then the heuristic's rules are applied again. Ends: every
    round hides at least one more cell. The ranges witnessed in one round carry over to the next
    (:data:`Ranges`), so later rounds solve only for the cells still unproven.

    ``implied``: relations that follow from ``relations`` (e.g. :func:`implied_row_relations` for
    every row), watched by the heuristic only — the audit needs none, it combines relations itself;
    they make the heuristic's pattern closer to one that passes, and so the audit's rounds fewer.
    A cell that fails the audit twice gets a partner in every relation around it at once.
    ``ranges``: ranges witnessed by an earlier protect() of the same report with a subset of
    ``start`` hidden (they stay witnessed); read and widened in place. ``decompose`` (the default):
    audit without the relations that are sums of others (:func:`_independent`) — the same pattern
    (``False`` only to check that), in smaller programs."""
    rels_list = list(relations)
    heuristic = Suppressor(values, rels_list + list(implied), row_total)
    hidden = heuristic.run(threshold, start)
    if threshold <= 1:
        return hidden
    rels = _relations(values, rels_list)
    by_cell: dict[Cell, list[int]] = {}
    for i, terms in enumerate(rels):
        for c, _ in terms:
            by_cell.setdefault(c, []).append(i)
    ranges = {} if ranges is None else ranges
    failed: set[Cell] = set()
    hidden = _span_sums(values, rels, hidden, threshold, heuristic)
    grouping = _Grouping(values, rels, _independent(rels) if decompose else None)
    while True:
        findings = _audit(values, rels, hidden, threshold, ranges, grouping)
        if not findings:
            return hidden
        added = False
        for f in findings:
            picks: list[Cell | None] = list(_around(f.cell, values, rels, by_cell, hidden)) if f.cell in failed else []
            picks = picks or [_partner(f.cell, values, rels, by_cell, hidden)]
            failed.add(f.cell)
            for pick in picks:
                if pick is not None and pick not in hidden:
                    hidden.add(pick)
                    added = True
        if not added:  # every cell of every relation around them is hidden already: nothing more to do
            return hidden
        hidden = heuristic.run(threshold, hidden)


#: The lowest small-cell threshold anyone but the system admin may ask for
#: (:func:`service.reports.controllers._check_threshold`); every higher threshold's pattern contains its.
MIN_PUBLIC_THRESHOLD = 5
_CACHE: OrderedDict[tuple[Hashable, int], tuple[frozenset[Cell], Ranges]] = OrderedDict()
_CACHE_SIZE = 64
_CACHE_LOCK = threading.Lock()


def publication_pattern(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    threshold: int,
    implied: Iterable[Relation] = (),
    key: Hashable | None = None,
    floor: int = MIN_PUBLIC_THRESHOLD,
) -> frozenset[Cell]:
    """The cells a publication at ``threshold`` hides: :func:`protect`, and the same pattern for the
    same report and threshold every time (``key``: what identifies the report's counts and
    relations; the last :data:`_CACHE_SIZE` patterns are kept, so a page, its downloads and its
    charts cost one audit).

    Across thresholds (issue 15 item 4): a user may ask for any threshold from ``floor`` up, and
    could combine the publications. So the pattern at ``threshold > floor`` is grown from the
    pattern at ``floor`` (``protect(..., start=pattern(floor))``): each contains ``floor``'s (two
    patterns above ``floor`` need not contain each other), the
    cells hidden at every threshold are exactly those hidden at ``floor``, and the union of what all
    thresholds publish is what ``floor`` publishes — which its own audit passed. (Auditing every
    pair of independent patterns instead would need an audit per pair and could still leak
    through three.) A higher threshold therefore hides more but protects no more than ``floor``
    against someone who may also ask for ``floor``; the protection a reader can count on is
    ``floor``'s. Below ``floor`` (the system admin only, who may read the rows) the pattern is not
    nested."""
    return _pattern(values, list(relations), threshold, list(implied), key, floor)[0]


def _pattern(
    values: Mapping[Cell, int],
    rels: list[Relation],
    threshold: int,
    implied: list[Relation],
    key: Hashable | None,
    floor: int,
) -> tuple[frozenset[Cell], Ranges]:
    """:func:`publication_pattern` with the ranges its audit witnessed (the next threshold's
    audit starts from them: its pattern contains this one)."""
    cache_key = None if key is None else (key, threshold)
    if cache_key is not None:
        with _CACHE_LOCK:
            if cache_key in _CACHE:
                _CACHE.move_to_end(cache_key)
                return _CACHE[cache_key]
    start: frozenset[Cell] = frozenset()
    ranges: Ranges = {}
    if threshold > floor:
        start, base_ranges = _pattern(values, rels, floor, implied, key, floor)
        ranges = dict(base_ranges)
    pattern = frozenset(protect(values, rels, threshold, start=start, implied=implied, ranges=ranges))
    if cache_key is not None:
        with _CACHE_LOCK:
            _CACHE[cache_key] = (pattern, ranges)
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.popitem(last=False)
    return pattern, ranges


def _around(
    cell: Cell,
    values: Mapping[Cell, int],
    rels: list[list[tuple[Cell, int]]],
    by_cell: dict[Cell, list[int]],
    hidden: set[Cell],
) -> list[Cell]:
    """The smallest visible non-zero cell of every relation of ``cell`` (for a cell that failed before)."""
    picks = []
    for i in by_cell.get(cell, ()):
        visible = [c for c, _ in rels[i] if c not in hidden and values[c] > 0]
        if visible:
            picks.append(min(visible, key=lambda c: (values[c], str(c))))
    return picks


def implied_row_relations(within: Iterable[tuple[str, Iterable[str]]]) -> list[tuple[str | None, tuple[str, ...]]]:
    """Relations inside a row that follow from ``within`` (:func:`~service.reports.definitions.row_relations`)
    and that the heuristic should watch too: where a relation's parts include all the parts of
    another (graduates ⊃ the employed categories), the larger total is the smaller total plus the
    rest (graduates = employed + 升学 + …); where a part is itself a total, it can be replaced by
    its parts (graduates = q2 employed + q2 not employed + q2 unmeasurable). A pattern with one
    hidden cell in such a relation is recovered by subtracting two published relations — the
    commonest leak the audit finds — so :func:`protect` lets the heuristic close them first.
    Returns ``(total, parts)`` pairs, the closure of both steps over ``within``."""
    base = [(t, frozenset(p)) for t, p in within]
    seen = {(t, p) for t, p in base}
    frontier = list(base)
    while frontier:
        new: list[tuple[str, frozenset[str]]] = []
        for t1, p1 in frontier:
            for t2, p2 in base:
                if t2 == t1:
                    continue
                if p2 < p1:  # nesting: t1 = t2 + (p1 − p2)
                    cand = (t1, (p1 - p2) | {t2})
                elif t2 in p1 and not p2 & p1:  # substitution of a part by its parts
                    cand = (t1, (p1 - {t2}) | p2)
                else:
                    continue
                if cand not in seen:
                    seen.add(cand)
                    new.append(cand)
        frontier = new
    return sorted((t, tuple(sorted(p))) for t, p in seen if (t, p) not in set(base))


def _span_sums(
    values: Mapping[Cell, int],
    rels: list[list[tuple[Cell, int]]],
    hidden: set[Cell],
    threshold: int,
    heuristic: Suppressor,
) -> set[Cell]:
    """Hide more before the first audit where the audit would fail for certain: in a relation whose
    total is published, every hidden part lies between 0 and the sum of its hidden parts (the
    published total less the published parts), so a hidden primary part's range spans at least the
    threshold only if the hidden parts add up to at least the threshold. While some relation fails
    this, its smallest visible non-zero part is hidden too (then the heuristic's rules again).
    Cheap (no solver) and never wrong — only more hiding — it spares the audit most of its rounds."""
    changed = True
    while changed:
        changed = False
        for terms in rels:
            total = next((c for c, k in terms if k < 0), None)
            if total is None or total in hidden:
                continue
            parts = [c for c, _ in terms if c != total]
            if not any(c in hidden and 0 < values[c] < threshold for c in parts):
                continue
            if sum(values[c] for c in parts if c in hidden) >= threshold:
                continue
            visible = [c for c in parts if c not in hidden and values[c] > 0]
            if visible:
                hidden.add(min(visible, key=lambda c: (values[c], str(c))))
                changed = True
        if changed:
            hidden = heuristic.run(threshold, hidden)
    return hidden


def _partner(
    cell: Cell,
    values: Mapping[Cell, int],
    rels: list[list[tuple[Cell, int]]],
    by_cell: dict[Cell, list[int]],
    hidden: set[Cell],
) -> Cell | None:
    """A visible cell sharing a relation with ``cell`` (smallest non-zero first), else one sharing a
    relation with any hidden cell related to it."""
    seen, frontier = {cell}, [cell]
    while frontier:
        candidates = [c for f in frontier for i in by_cell.get(f, ()) for c, _ in rels[i] if c not in hidden]
        if candidates:
            return min(candidates, key=lambda c: (values[c] == 0, values[c], str(c)))
        frontier = [c for f in frontier for i in by_cell.get(f, ()) for c, _ in rels[i] if c not in seen]
        seen.update(frontier)
    return None
