"""Graded relevance of applications, for training and serving the learned ranker."""

from __future__ import annotations

from matching.ltr import GRADES
from service.applications.models import Application, ApplicationStatus

#: Graded relevance of the furthest status an application reached (view < apply < interview < hire).
#: ``viewed`` is the employer opening the application, still an application; an offer counts as an
#: interview passed. Rejected/withdrawn keep the grade reached before them.
STATUS_GRADES: dict[ApplicationStatus, float] = {
    ApplicationStatus.APPLIED: GRADES["apply"],
    ApplicationStatus.VIEWED: GRADES["apply"],
    ApplicationStatus.INTERVIEW: GRADES["interview"],
    ApplicationStatus.OFFER: GRADES["interview"],
    ApplicationStatus.HIRED: GRADES["hire"],
}


def grade_of(app: Application) -> float:
    """Graded relevance of an application: the highest :data:`STATUS_GRADES` among its current status and
    every status in its history (``apply`` when none is graded, e.g. withdrawn straight away)."""
    statuses = [app.status, *(e.to_status for e in app.history), *(e.from_status for e in app.history)]
    return max((STATUS_GRADES.get(s, 0.0) for s in statuses if s is not None), default=0.0) or GRADES["apply"]
