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
    if threshold < 1:
        raise ValueError(f"threshold must be at least 1, got {threshold}")
    rels = []
    for total, parts in relations:
        cells = [c for c in (total, *parts) if c in values]
        if len(cells) > 1:
            rels.append((total if total in values else None, [c for c in parts if c in values]))
    by_row: dict[Hashable, list[Cell]] = {}
    for cell in values:
        by_row.setdefault(cell[0], []).append(cell)
    hidden = {c for c, v in values.items() if 0 < v < threshold} | set(start)
    changed = True
    while changed:
        changed = False
        for row, cells in by_row.items():
            if (row, row_total) in hidden and not hidden.issuperset(cells):
                hidden.update(cells)
                changed = True
        for kept_total, parts in rels:
            members = parts + ([kept_total] if kept_total is not None else [])
            if sum(c in hidden for c in members) != 1:
                continue
            visible = sorted((c for c in parts if c not in hidden), key=lambda c: (values[c] == 0, values[c]))
            pick = visible[0] if visible else kept_total
            if pick is not None and pick not in hidden:
                hidden.add(pick)
                changed = True
    return hidden
