"""Domain errors carry stable codes, and pages translate by the code, never by the English text."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import msgspec
import pytest

from service.catalog.service import _check_dates as _catalog_dates
from service.config import latest_today
from service.errors import ConflictError, InvalidFieldError
from service.graduates.schemas import Award, Certificate, Experience
from service.graduates.service import _awards, _certificates, _experiences
from service.interviews.models import InterviewMode
from service.interviews.schemas import InterviewCreate, SlotCreate
from service.interviews.service import check_proposal
from service.postings.models import Posting
from service.postings.service import PostingService, apply_salary
from service.web.common import MESSAGES_BY_CODE as SHARED_MESSAGES_BY_CODE
from service.web.common import domain_error_codes, domain_messages
from service.web.conversation_pages import _message_error
from service.web.i18n import load_catalogues
from service.web.interview_pages import MESSAGES_BY_CODE, _domain_messages
from vocab import SalaryPeriod

NOW = dt.datetime(2026, 12, 7, 4, 0, tzinfo=dt.UTC)


def _proposal(**overrides: object) -> InterviewCreate:
    """A valid proposal with ``overrides`` (msgspec.structs.replace sets fields without validating them)."""
    valid = InterviewCreate(
        slots=[SlotCreate(starts_at=NOW + dt.timedelta(days=1))],
        mode=InterviewMode.IN_PERSON,
        place="广州市天河区 1 号楼 201 室",
    )
    return msgspec.structs.replace(valid, **overrides)


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"slots": [SlotCreate(starts_at=NOW - dt.timedelta(hours=1))]}, "slots[0].starts_at", "slot_in_past"),
        ({"slots": [SlotCreate(starts_at=NOW + dt.timedelta(days=400))]}, "slots[0].starts_at", "slot_too_far_ahead"),
        ({"place": None}, "place", "place_missing"),
        ({"mode": InterviewMode.ONLINE, "online_url": None}, "online_url", "online_url_missing"),
        ({"mode": InterviewMode.ONLINE, "online_url": "javascript:alert(1)"}, "online_url", "online_url_not_http"),
    ],
)
def test_interview_rules_name_their_code(overrides: dict[str, object], field: str, code: str) -> None:
    with pytest.raises(InvalidFieldError) as caught:
        check_proposal(_proposal(**overrides), NOW)
    assert caught.value.code == code
    assert caught.value.errors == [{"field": field, "message": caught.value.errors[0]["message"], "code": code}]


def test_pages_translate_by_code_whatever_the_english_says() -> None:
    zh = load_catalogues().get("zh_Hans")
    reworded = InvalidFieldError("place", "some new English wording of the rule", "place_missing")
    assert _domain_messages(zh, reworded) == {"place": zh.gettext(MESSAGES_BY_CODE["place_missing"])}
    assert zh.gettext(MESSAGES_BY_CODE["place_missing"]) != MESSAGES_BY_CODE["place_missing"]  # translated
    # the words the page used to look for, without the code, are no longer recognised as that rule
    uncoded = InvalidFieldError("place", "an interview in person needs a place")
    assert _domain_messages(zh, uncoded)["place"] != zh.gettext(MESSAGES_BY_CODE["place_missing"])


def test_domain_error_codes_by_form_field() -> None:
    taken = ConflictError("uscc: taken", [{"field": "uscc", "message": "already registered", "code": "uscc_taken"}])
    assert domain_error_codes(taken) == {"uscc": "uscc_taken"}
    assert domain_error_codes(ConflictError("moved already", code="final_status")) == {"_form": "final_status"}
    assert domain_error_codes(InvalidFieldError("note", "too long")) == {}


def _raises(call: Callable[[], object]) -> InvalidFieldError:
    with pytest.raises(InvalidFieldError) as caught:
        call()
    return caught.value


TODAY = latest_today()  # the last day not in the future (either calendar's today)


@pytest.mark.parametrize(
    ("call", "field", "code"),
    [
        (lambda: apply_salary(Posting(salary_min=9000, salary_max=5000)), "salary_min", "salary_min_above_max"),
        (
            lambda: apply_salary(Posting(salary_min=100_000_000, salary_period=SalaryPeriod.HOUR)),
            "salary_min",
            "salary_out_of_range",
        ),
        (
            lambda: PostingService._check_dates(Posting(posted_on=TODAY, valid_through=TODAY - dt.timedelta(days=1))),
            "valid_through",
            "date_too_early",
        ),
        (lambda: _awards([Award(competition="技能大赛", year=TODAY.year + 1)]), "awards[0].year", "date_in_future"),
        (
            lambda: _certificates([Certificate(name="电工证", issued_on=TODAY + dt.timedelta(days=1))]),
            "certificates[0].issued_on",
            "date_in_future",
        ),
        (
            lambda: _experiences([Experience(title="实习", start_date=TODAY, end_date=TODAY - dt.timedelta(days=1))]),
            "experiences[0].end_date",
            "date_too_early",
        ),
        (lambda: _catalog_dates(TODAY, TODAY - dt.timedelta(days=1)), "retired_on", "date_too_early"),
    ],
)
def test_service_rules_the_pages_show_name_their_code(call: Callable[[], object], field: str, code: str) -> None:
    refused = _raises(call)
    assert (refused.code, refused.errors[0]["field"], refused.errors[0]["code"]) == (code, field, code)


@pytest.mark.parametrize("code", sorted(SHARED_MESSAGES_BY_CODE))
def test_shared_codes_are_shown_in_chinese_whatever_the_english_says(code: str) -> None:
    """The six rules the pages used to recognise by English words (``is in the future``, ``region
    code``, …) are translated by their code: a new English wording changes nothing on the page."""
    zh = load_catalogues().get("zh_Hans")
    expected = zh.gettext(SHARED_MESSAGES_BY_CODE[code])
    assert expected != SHARED_MESSAGES_BY_CODE[code]  # the catalogue translates it
    reworded = InvalidFieldError("occurred_on", "a wording no page has ever seen", code)
    assert domain_messages(zh, reworded) == {"occurred_on": expected}
    # a page's own text for a code comes first (the interview pages' hire form), the shared one after
    own = MESSAGES_BY_CODE.get(code, SHARED_MESSAGES_BY_CODE[code])
    assert _domain_messages(zh, reworded) == {"occurred_on": zh.gettext(own)}
    # without the code, the same words are just "not valid"
    assert domain_messages(zh, InvalidFieldError("occurred_on", "a wording no page has ever seen")) == {
        "occurred_on": zh.gettext("This value is not valid")
    }


@pytest.mark.parametrize(
    ("code", "english"),
    [
        ("message_has_id_number", "Do not send ID card numbers in messages."),
        (
            "contact_before_consent",
            "To give the employer your phone or e-mail, switch on sharing your contact details "
            "for this application first.",
        ),
        ("message_empty", "Write a message first."),
    ],
)
def test_message_refusals_are_shown_by_code(code: str, english: str) -> None:
    zh = load_catalogues().get("zh_Hans")
    shown = _message_error(zh, InvalidFieldError("body", "a wording no page has ever seen", code))
    assert shown == zh.gettext(english) != english
