"""Which destination counts: the precedence rule over a graduate's event history (pure code).

A graduate may have several events (two offers, a survey answer and a platform hire, a later
change of job). For any day ``D`` and knowledge cut-off ``T`` (``recorded_before``) exactly one
outcome — or none — counts, chosen like this:

1. Only events recorded before ``T`` exist (``recorded_at < T``); with the same ``T`` the
   answer never changes, because events are append-only.
2. Candidate outcomes are ``outcome`` events with ``occurred_on <= D`` that are not disputed:
   the latest confirmation/dispute of an outcome (by ``recorded_at``, then id) decides — the
   graduate's own, or the school's review decision (source ``school_review``: refusing a
   self-report or accepting an objection is a dispute, upholding a disputed record a
   confirmation; see :meth:`~service.destinations.service.DestinationService.review`); a disputed
   outcome does not count until it is confirmed again or a new outcome is recorded.
3. Among the candidates the one with the latest ``occurred_on`` counts (the situation on ``D``);
   on the same day the more reliable source wins: platform hire (employer-confirmed) >
   school follow-up survey > roster/file import > graduate self-report; then the later
   ``recorded_at``; then the higher id.
4. 对口 (``in_field``) of the chosen outcome is the school's latest override of that outcome
   recorded before ``T`` if any, else the value proposed when the outcome was recorded.
5. An outcome flagged ``internship`` (实习/见习) never replaces another outcome: it is a candidate
   only on days when no other undisputed outcome is known, and then counts as 待就业
   (``seeking``). The Ministry of Education forbids counting internship or traineeship
   certificates as employment (教育部 "四不准": 不准将毕业生实习见习证明作为就业证明; 《职业学校学生
   实习管理规定》, 教职成〔2021〕4号, makes 岗位实习 part of the course), so an internship says
   nothing about a graduate's destination beyond "not known to be employed": a confirmed job, a
   further study or a 待就业 report recorded before or after it keeps counting. Internships are
   recorded as placements (:mod:`service.internships`) and new outcomes flagged ``internship``
   are refused (:meth:`~service.destinations.service.DestinationService.record`); this rule
   is for the rows stored before that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from service.destinations.models import DestinationCategory, DestinationEventKind, DestinationSource

C = DestinationCategory

#: 直接就业 (directly employed) categories; 升学 and 出国出境 are separate, 待就业/暂不就业 are not outcomes.
EMPLOYED = frozenset(
    {C.EMPLOYMENT_AGREEMENT, C.LABOUR_CONTRACT, C.OTHER_EMPLOYMENT, C.SELF_EMPLOYED, C.FREELANCE, C.MILITARY}
)

#: Same-day tie-break, higher wins (rule 3).
SOURCE_RANK = {
    DestinationSource.PLATFORM_HIRE: 4,
    DestinationSource.SCHOOL_SURVEY: 3,
    DestinationSource.IMPORT: 2,
    DestinationSource.SELF_REPORT: 1,
    DestinationSource.SCHOOL_REVIEW: 0,
}


class EventLike(Protocol):
    """The attributes of :class:`~service.destinations.models.DestinationEvent` used here
    (an ORM object or a SQL row both fit)."""

    id: int
    kind: Any
    refers_to_id: int | None
    occurred_on: dt.date
    recorded_at: dt.datetime
    source: Any
    category: Any
    in_field: bool | None
    internship: bool


@dataclass(frozen=True, slots=True)
class Effective:
    """The outcome that counts. ``category`` is after rule 5 (an internship gives ``seeking``);
    ``in_field`` after rule 4; ``event`` is the chosen outcome event itself."""

    event: Any
    category: DestinationCategory
    in_field: bool | None
    in_field_overridden: bool
    confirmed: bool

    @property
    def employed(self) -> bool:
        return self.category in EMPLOYED


def _known(events: Iterable[EventLike], recorded_before: dt.datetime | None) -> list[EventLike]:
    if recorded_before is None:
        return list(events)
    return [e for e in events if e.recorded_at < recorded_before]


def _order(e: EventLike) -> tuple[dt.datetime, int]:
    return (e.recorded_at, e.id)


class History:
    """One graduate's events up to a knowledge cut-off, ready for questions about any day."""

    def __init__(self, events: Iterable[EventLike], recorded_before: dt.datetime | None = None) -> None:
        known = _known(events, recorded_before)
        self.outcomes = [e for e in known if DestinationEventKind(e.kind) == DestinationEventKind.OUTCOME]
        self._review: dict[int, EventLike] = {}
        self._override: dict[int, EventLike] = {}
        for e in sorted(known, key=_order):
            kind = DestinationEventKind(e.kind)
            if e.refers_to_id is None:
                continue
            if kind in (DestinationEventKind.CONFIRMATION, DestinationEventKind.DISPUTE):
                self._review[e.refers_to_id] = e  # later ones replace earlier ones
            elif kind == DestinationEventKind.IN_FIELD_OVERRIDE:
                self._override[e.refers_to_id] = e

    def disputed(self, outcome_id: int) -> bool:
        r = self._review.get(outcome_id)
        return r is not None and DestinationEventKind(r.kind) == DestinationEventKind.DISPUTE

    def on(self, day: dt.date) -> Effective | None:
        """The outcome counting on ``day`` (rules 2-5), or ``None`` if nothing is known."""
        candidates = [e for e in self.outcomes if e.occurred_on <= day and not self.disputed(e.id)]
        # rule 5: internships only when nothing else is known
        candidates = [e for e in candidates if not e.internship] or candidates
        if not candidates:
            return None
        best = max(
            candidates, key=lambda e: (e.occurred_on, SOURCE_RANK[DestinationSource(e.source)], e.recorded_at, e.id)
        )
        override = self._override.get(best.id)
        review = self._review.get(best.id)
        category = DestinationCategory.SEEKING if best.internship else DestinationCategory(best.category)
        return Effective(
            event=best,
            category=category,
            in_field=override.in_field if override is not None else best.in_field,
            in_field_overridden=override is not None,
            confirmed=review is not None and DestinationEventKind(review.kind) == DestinationEventKind.CONFIRMATION,
        )

    def employed_during(self, start: dt.date, end: dt.date) -> bool:
        """Directly employed on at least one day of ``[start, end]`` (WIOA "employed during the
        quarter"). The status only changes on an outcome's ``occurred_on``, so those days suffice."""
        days = {start} | {e.occurred_on for e in self.outcomes if start < e.occurred_on <= end}
        return any((eff := self.on(d)) is not None and eff.employed for d in sorted(days))
