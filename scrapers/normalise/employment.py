"""schema.org ``employmentType`` guessed from a posting title (the boards here give no field).

``实习``/``intern`` → INTERN, ``兼职``/``part time`` → PART_TIME, ``临时``/``季节``/``seasonal``/
``temporary`` → TEMPORARY; otherwise FULL_TIME (the boards' default).
"""

from __future__ import annotations

import re

from vocab import EmploymentType

_RULES = (
    (re.compile(r"实习|\bintern(ship)?s?\b", re.IGNORECASE), EmploymentType.INTERN),
    (re.compile(r"兼职|\bpart[\s-]?time\b", re.IGNORECASE), EmploymentType.PART_TIME),
    (re.compile(r"临时|季节|\bseasonal\b|\btemporary\b|\btemp\b", re.IGNORECASE), EmploymentType.TEMPORARY),
)


def employment_type_from_title(title: str) -> EmploymentType:
    """The first rule matching ``title``, else ``FULL_TIME``."""
    for pattern, kind in _RULES:
        if pattern.search(title):
            return kind
    return EmploymentType.FULL_TIME
