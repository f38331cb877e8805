"""The exact suppression audit as it was before it was made fast (issue 15 item 4): one integer
program built from scratch (``scipy.optimize.milp``) for every solve of every hidden cell. Kept as
the reference the fast audit (:mod:`service.reports.audit`) is checked against
(tests/reports/test_audit.py) and timed against (bench/bench_audit.py). Not used by the service.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import csr_array

# the relation and grouping scaffolding is the fast audit's own: this module keeps only what it is the
# reference for, one program built from scratch per solve
from service.reports.audit import Cell, Finding, _components, _partner, _relations
from service.reports.suppression import Relation, suppress


class _Problem:
    """The attacker's integer program for one group of hidden cells."""

    def __init__(
        self,
        cells: list[Cell],
        rel_ids: list[int],
        rels: list[list[tuple[Cell, int]]],
        values: Mapping[Cell, int],
        upper: int,
    ) -> None:
        self.cells = cells
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
        self.constraint = (
            LinearConstraint(csr_array((data, (rows, cols)), shape=(len(rel_ids), len(cells))), rhs, rhs)
            if rel_ids
            else None
        )
        self.bounds = Bounds(np.zeros(len(cells)), np.full(len(cells), float(upper)))
        self.integrality = np.ones(len(cells), dtype=np.int64)

    def solve(self, objective: np.ndarray) -> np.ndarray:
        """An integer solution minimising ``objective`` (the true values make the program feasible).

        The linear relaxation first: the relations are sums with coefficients ±1, whose optimal
        vertices are mostly integral, and an integral optimum of the relaxation is an optimum of
        the integer program; only a fractional one goes to the branch and bound."""
        constraints = self.constraint or ()
        res = milp(objective, constraints=constraints, bounds=self.bounds)
        if res.x is not None and np.allclose(res.x, np.rint(res.x), atol=1e-6):
            return np.rint(res.x)
        res = milp(objective, constraints=constraints, bounds=self.bounds, integrality=self.integrality)
        if res.x is None:  # pragma: no cover - the published values come from a real solution
            raise RuntimeError(f"suppression audit: the attacker's program has no solution ({res.message})")
        return np.rint(res.x)


def audit(
    values: Mapping[Cell, int], relations: Iterable[Relation], hidden: set[Cell], threshold: int
) -> list[Finding]:
    """The hidden cells an attacker could pin down (non-zero count, one feasible value) or narrow
    too far (a primary cell whose feasible range is shorter than ``threshold``). Empty: the
    pattern passes. ``relations`` as for :func:`service.reports.suppression.suppress`."""
    rels = _relations(values, relations)
    upper = max([*values.values(), 1])
    findings: list[Finding] = []
    for cells, rel_ids in _components(hidden, rels):
        primary = {c for c in cells if 0 < values[c] < threshold}
        need = {c for c in cells if values[c] > 0}
        if not need:
            continue
        problem = _Problem(cells, rel_ids, rels, values, upper)
        truth = np.array([values[c] for c in cells], dtype=float)
        low, high = truth.copy(), truth.copy()

        def open_cells() -> list[int]:
            return [
                j for j, c in enumerate(cells) if c in need and (high[j] - low[j] < (threshold if c in primary else 1))
            ]

        # shared solves first: push every unproven cell up together, then down together
        for sign in (-1.0, 1.0):
            todo = open_cells()
            if not todo:
                break
            objective = np.zeros(len(cells))
            objective[todo] = sign
            x = problem.solve(objective)
            low, high = np.minimum(low, x), np.maximum(high, x)
        for j in open_cells():
            c = cells[j]
            for sign in (1.0, -1.0):
                objective = np.zeros(len(cells))
                objective[j] = sign
                x = problem.solve(objective)
                low, high = np.minimum(low, x), np.maximum(high, x)
            if high[j] == low[j]:
                findings.append(Finding(c, low[j], high[j], "pinned"))
            elif c in primary and high[j] - low[j] < threshold:
                findings.append(Finding(c, low[j], high[j], "narrow"))
    return findings


def protect(
    values: Mapping[Cell, int], relations: Iterable[Relation], threshold: int, row_total: str = "graduates"
) -> set[Cell]:
    """The cells to hide: :func:`~service.reports.suppression.suppress`'s pattern, then more until
    :func:`audit` passes. For each failing cell another cell of one of its relations is hidden
    (the smallest visible non-zero one; else of any relation of its group), then the heuristic's
    rules are applied again. Ends: every round hides at least one more cell."""
    rels_list = list(relations)
    hidden = suppress(values, rels_list, threshold, row_total)
    if threshold <= 1:
        return hidden
    rels = _relations(values, rels_list)
    by_cell: dict[Cell, list[int]] = {}
    for i, terms in enumerate(rels):
        for c, _ in terms:
            by_cell.setdefault(c, []).append(i)
    while True:
        findings = audit(values, rels_list, hidden, threshold)
        if not findings:
            return hidden
        added = False
        for f in findings:
            pick = _partner(f.cell, values, rels, by_cell, hidden)
            if pick is not None:
                hidden.add(pick)
                added = True
        if not added:  # every cell of every relation around them is hidden already: nothing more to do
            return hidden
        hidden = suppress(values, rels_list, threshold, row_total, start=hidden)
