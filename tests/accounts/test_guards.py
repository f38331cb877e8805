"""Every object-level check, for every role, on its own object (A) and a foreign one (B).

Pure functions: the objects are built in memory. ``*_a`` accounts own the A side of the world
(school A in 天河区 440106, verified employer A, graduate A who applied to posting A), ``*_b``
the B side (school B in 南宁 450100, unverified employer B, graduate B who applied to posting B).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from litestar.exceptions import PermissionDeniedException

from service.accounts.models import Role
from service.applications.models import Application, ApplicationStatus
from service.auth.guards import (
    Principal,
    applied_to,
    can_apply,
    can_change_application,
    can_change_graduate,
    can_manage_employer,
    can_manage_posting,
    can_manage_school,
    can_read_application,
    can_read_destinations,
    can_read_employer,
    can_read_figures,
    can_read_graduate,
    can_read_posting,
    can_see_contact,
    can_self_report_destination,
    can_survey_destination,
    ensure_allowed,
    ensure_visible,
    region_contains,
)
from service.catalog.models import School
from service.employers.models import Employer
from service.employers.verification import can_verify_employer
from service.errors import NotFoundError
from service.graduates.models import Graduate
from service.postings.models import Posting

SCHOOLS = {
    "A": School(id=10, code="4144010001", name="A", region_code="440106"),
    "B": School(id=11, code="4145010001", name="B", region_code="450100"),
}
GRADUATES = {"A": Graduate(id=1, name="陈小明", school_id=10), "B": Graduate(id=2, name="黄丽", school_id=11)}
EMPLOYERS = {"A": Employer(id=100, name="A", verified=True), "B": Employer(id=101, name="B", verified=False)}
POSTINGS = {
    s: Posting(id=1000 + i, title=s, employer_id=EMPLOYERS[s].id, employer=EMPLOYERS[s]) for i, s in enumerate("AB")
}
APPLICATIONS = {
    s: Application(
        id=500 + i, graduate_id=GRADUATES[s].id, posting_id=POSTINGS[s].id, graduate=GRADUATES[s], posting=POSTINGS[s]
    )
    for i, s in enumerate("AB")
}

PRINCIPALS = {
    "graduate_a": Principal(user_id=1, role=Role.GRADUATE, graduate_id=1),
    "graduate_b": Principal(user_id=2, role=Role.GRADUATE, graduate_id=2),
    "employer_a": Principal(user_id=3, role=Role.EMPLOYER, employer_id=100),
    "employer_b": Principal(user_id=4, role=Role.EMPLOYER, employer_id=101),
    "school_a": Principal(user_id=5, role=Role.SCHOOL, school_id=10),
    "school_b": Principal(user_id=6, role=Role.SCHOOL, school_id=11),
    "department_a": Principal(user_id=7, role=Role.DEPARTMENT, region_code="440100"),
    "department_b": Principal(user_id=8, role=Role.DEPARTMENT, region_code="450000"),
    "admin": Principal(user_id=9, role=Role.ADMIN),
}
NONE = dict.fromkeys(PRINCIPALS, "")
SCHOOL_OF = {5: "A", 6: "B"}  # school staff user id → their school's side


def own(*names: str, **extra: str) -> dict[str, str]:
    """Expected sides per account: each named role family sees only its own side, the admin both."""
    expected = dict(NONE, admin="AB")
    for name in names:
        expected[f"{name}_a"], expected[f"{name}_b"] = "A", "B"
    expected.update(extra)
    return expected


def applied(p: Principal, side: str) -> bool:
    """Whether graduate ``side`` applied to a posting of ``p``'s employer."""
    return p.role is Role.EMPLOYER and applied_to(p.employer_id, [APPLICATIONS[side]])


WITHDRAWN = {
    s: Application(
        id=600 + i,
        graduate_id=GRADUATES[s].id,
        posting_id=POSTINGS[s].id,
        graduate=GRADUATES[s],
        posting=POSTINGS[s],
        status=ApplicationStatus.WITHDRAWN,
    )
    for i, s in enumerate("AB")
}


def region_of(side: str) -> str:
    return SCHOOLS[side].region_code


ALL_ROLES = ("graduate", "employer", "school", "department")

CASES: list[tuple[str, Callable[[Principal, str], bool], dict[str, str]]] = [
    (
        "can_read_graduate",
        lambda p, s: can_read_graduate(p, GRADUATES[s], school_region=region_of(s), applied_to_employer=applied(p, s)),
        own(*ALL_ROLES),
    ),
    (
        "can_read_graduate, employer without application",
        lambda p, s: can_read_graduate(p, GRADUATES[s], school_region=region_of(s)),
        own("graduate", "school", "department"),
    ),
    (
        "can_read_graduate, employer whose only application was withdrawn",
        lambda p, s: can_read_graduate(
            p, GRADUATES[s], school_region=region_of(s), applied_to_employer=applied_to(p.employer_id, [WITHDRAWN[s]])
        ),
        own("graduate", "school", "department"),
    ),
    (
        "can_read_graduate, employer with a withdrawn and a standing application",
        lambda p, s: can_read_graduate(
            p,
            GRADUATES[s],
            school_region=region_of(s),
            applied_to_employer=applied_to(p.employer_id, [WITHDRAWN[s], APPLICATIONS[s]]),
        ),
        own(*ALL_ROLES),
    ),
    ("can_change_graduate", lambda p, s: can_change_graduate(p, GRADUATES[s]), own("graduate", "school")),
    (
        "can_see_contact",
        lambda p, s: can_see_contact(p, GRADUATES[s], school_region=region_of(s), applied_to_employer=applied(p, s)),
        own(*ALL_ROLES),
    ),
    (
        "can_read_destinations",
        lambda p, s: can_read_destinations(p, GRADUATES[s], school_region=region_of(s)),
        own("graduate", "school", "department"),
    ),
    ("can_self_report_destination", lambda p, s: can_self_report_destination(p, GRADUATES[s]), own("graduate")),
    ("can_survey_destination", lambda p, s: can_survey_destination(p, GRADUATES[s]), own("school")),
    (
        "can_read_employer",
        lambda p, s: can_read_employer(p, EMPLOYERS[s]),
        own(
            graduate_a="A",
            graduate_b="A",
            employer_a="A",
            employer_b="AB",
            school_a="AB",
            school_b="AB",
            department_a="AB",
            department_b="AB",
        ),
    ),
    ("can_manage_employer", lambda p, s: can_manage_employer(p, EMPLOYERS[s]), own("employer")),
    (
        "can_read_posting",
        lambda p, s: can_read_posting(p, POSTINGS[s]),
        own(
            "employer",
            graduate_a="A",
            graduate_b="A",
            school_a="AB",
            school_b="AB",
            department_a="AB",
            department_b="AB",
        ),
    ),
    ("can_manage_posting", lambda p, s: can_manage_posting(p, POSTINGS[s]), own("employer")),
    (
        "can_manage_posting, new posting",
        lambda p, s: can_manage_posting(p, employer_id=EMPLOYERS[s].id),
        own("employer"),
    ),
    ("can_apply", lambda p, s: can_apply(p, GRADUATES[s].id), own("graduate")),
    (
        "can_read_application",
        lambda p, s: can_read_application(p, APPLICATIONS[s], school_region=region_of(s)),
        own(*ALL_ROLES),
    ),
    (
        "can_change_application, withdraw",
        lambda p, s: can_change_application(p, APPLICATIONS[s], ApplicationStatus.WITHDRAWN),
        own("graduate"),
    ),
    (
        "can_change_application, employer moves",
        lambda p, s: can_change_application(p, APPLICATIONS[s], ApplicationStatus.INTERVIEW),
        own("employer"),
    ),
    ("can_read_figures, school", lambda p, s: can_read_figures(p, school=SCHOOLS[s]), own("school", "department")),
    ("can_read_figures, region", lambda p, s: can_read_figures(p, region_code=region_of(s)), own("department")),
    (
        "can_read_figures, province above the department",
        lambda p, s: can_read_figures(p, region_code={"A": "440000", "B": "450000"}[s]),
        own(department_b="B"),
    ),
    ("can_read_figures, everything", lambda p, s: s == "A" and can_read_figures(p), own(admin="A")),
    ("can_manage_school", lambda p, s: can_manage_school(p, SCHOOLS[s]), own("school")),
    (
        "can_verify_employer, employer in the school's county",
        lambda p, s: can_verify_employer(
            p,
            Employer(id=200, name="x", region_code=region_of(s)),
            school_region=SCHOOLS[SCHOOL_OF[p.user_id]].region_code if p.school_id else None,
        ),
        own("school", "department"),
    ),
    (
        "can_verify_employer, elsewhere in school A's city (越秀区)",
        lambda p, s: s == "A"
        and can_verify_employer(
            p,
            Employer(id=200, name="x", region_code="440104"),
            school_region=SCHOOLS[SCHOOL_OF[p.user_id]].region_code if p.school_id else None,
        ),
        own(school_a="A", department_a="A", admin="A"),
    ),
    (
        "can_verify_employer, another city of the province (深圳)",
        lambda p, s: s == "A"
        and can_verify_employer(
            p,
            Employer(id=200, name="x", region_code="440304"),
            school_region=SCHOOLS[SCHOOL_OF[p.user_id]].region_code if p.school_id else None,
        ),
        own(admin="A"),
    ),
    (
        "can_verify_employer, no region recorded",
        lambda p, s: s == "A"
        and can_verify_employer(
            p,
            Employer(id=200, name="x"),
            school_region=SCHOOLS[SCHOOL_OF[p.user_id]].region_code if p.school_id else None,
        ),
        own(department_a="A", department_b="A", admin="A"),
    ),
]


@pytest.mark.parametrize("account", PRINCIPALS)
@pytest.mark.parametrize(("check", "expected"), [(c[1], c[2]) for c in CASES], ids=[c[0] for c in CASES])
def test_matrix(check: Callable[[Principal, str], bool], expected: dict[str, str], account: str) -> None:
    allowed = "".join(side for side in "AB" if check(PRINCIPALS[account], side))
    assert allowed == expected[account]


@pytest.mark.parametrize(
    ("scope", "code", "inside"),
    [
        ("440100", "440106", True),
        ("440100", "440100", True),
        ("440000", "440106", True),
        ("440100", "440000", False),
        ("440100", "450100", False),
        ("440106", "440100", False),
        ("440100", None, False),
        (None, "440106", False),
    ],
)
def test_region_contains(scope: str | None, code: str | None, inside: bool) -> None:
    assert region_contains(scope, code) is inside


def test_ensure_helpers_raise_404_and_403() -> None:
    ensure_visible(True, "graduate", 7)
    with pytest.raises(NotFoundError, match="graduate 7 not found"):
        ensure_visible(False, "graduate", 7)
    ensure_allowed(True, "change this posting")
    with pytest.raises(PermissionDeniedException, match="not allowed to change this posting"):
        ensure_allowed(False, "change this posting")
