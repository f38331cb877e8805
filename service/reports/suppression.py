"""Small-cell suppression with complementary suppression over additive relations (pure code).

A report is a set of count cells ``(row, column)`` and additive relations ``total = Σ parts``
(within a row: the destinations add up to the graduates; across rows: the groups of a breakdown
add up to the total, cities to their province, schools to their county). Publishing all but one
cell of a relation would let anyone recover the hidden one by subtraction, so:

1. primary: every cell with ``1 <= count < threshold`` is hidden;
2. a row whose ``graduates`` cell is hidden is hidden entirely (its zeros would tell too much);
3. complementary: while some relation has exactly one hidden cell, also hide the smallest
   non-zero visible part of that relation (a zero part if there is none, else its total).

Repeat 2-3 until nothing changes. The result guarantees that no single relation has exactly one
hidden cell — the standard rule of statistical disclosure control for tables with published
margins (e.g. Hundepool et al., *Statistical Disclosure Control*, Wiley 2012, §5.2 and §5.4). It is
not an audit across combinations of relations: :func:`service.reports.audit.protect` runs this
heuristic, then an exact integer-programming audit, and hides more until nothing can be recovered.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence

Cell = tuple[Hashable, str]
Relation = tuple[Cell, Sequence[Cell]]


def suppress(
    values: Mapping[Cell, int],
    relations: Iterable[Relation],
    threshold: int,
    row_total: str = "graduates",
    start: Iterable[Cell] = (),
) -> set[Cell]:
    """The cells to hide. ``values`` maps every published cell to its count; relations may name
    cells missing from ``values`` (they are ignored). ``threshold`` >= 1 (1 hides nothing).
    ``start``: cells already hidden (e.g. by :func:`service.reports.audit.protect`), kept hidden.

    Raises:
        ValueError: ``threshold`` < 1.
    """
    return Suppressor(values, relations, row_total).run(threshold, start)


class Suppressor:
    """:func:`suppress` for one report, its relations prepared once for several runs (a province's
    report has some 30,000 relations; :func:`service.reports.audit.protect` runs the rules again
    after each round of its audit)."""

    def __init__(self, values: Mapping[Cell, int], relations: Iterable[Relation], row_total: str = "graduates") -> None:
        self.values = values
        self.row_total = row_total
        self.rels: list[tuple[Cell | None, list[Cell]]] = []
        for total, parts in relations:
            cells = [c for c in (total, *parts) if c in values]
            if len(cells) > 1:
                self.rels.append((total if total in values else None, [c for c in parts if c in values]))
        self.by_row: dict[Hashable, list[Cell]] = {}
        for cell in values:
            self.by_row.setdefault(cell[0], []).append(cell)
        # which relations each cell is in: only a relation with a newly hidden member can have changed
        self.member_of: dict[Cell, list[int]] = {}
        for i, (kept, parts) in enumerate(self.rels):
            for c in parts + ([kept] if kept is not None else []):
                self.member_of.setdefault(c, []).append(i)

    def run(self, threshold: int, start: Iterable[Cell] = ()) -> set[Cell]:
        """The cells to hide (see :func:`suppress`)."""
        if threshold < 1:
            raise ValueError(f"threshold must be at least 1, got {threshold}")
        values, rels, member_of, row_total = self.values, self.rels, self.member_of, self.row_total
        hidden: set[Cell] = set()
        dirty = [False] * len(rels)

        def hide(cell: Cell) -> None:
            hidden.add(cell)
            for i in member_of.get(cell, ()):
                dirty[i] = True

        for c in [c for c, v in values.items() if 0 < v < threshold] + list(start):
            hide(c)
        whole: set[Hashable] = set()  # rows hidden entirely already
        changed = True
        while changed:
            changed = False
            for row, cells in self.by_row.items():
                if row not in whole and (row, row_total) in hidden:
                    whole.add(row)
                    for c in cells:
                        if c not in hidden:
                            hide(c)
                            changed = True
            # the same order as checking every relation in turn: one that no newly hidden cell
            # touched since its last check cannot have become a singleton
            for i, (total, parts) in enumerate(rels):
                if not dirty[i]:
                    continue
                dirty[i] = False
                members = parts + ([total] if total is not None else [])
                if len(hidden.intersection(members)) != 1:  # members are distinct cells
                    continue
                visible = sorted((c for c in parts if c not in hidden), key=lambda c: (values[c] == 0, values[c]))
                pick = visible[0] if visible else total
                if pick is not None and pick not in hidden:
                    hide(pick)
                    changed = True
        return hidden
