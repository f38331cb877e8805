"""Domain errors carry stable codes, and pages translate by the code, never by the English text."""

from __future__ import annotations

import datetime as dt

import msgspec
import pytest

from service.errors import ConflictError, InvalidFieldError
from service.interviews.models import InterviewMode
from service.interviews.schemas import InterviewCreate, SlotCreate
from service.interviews.service import check_proposal
from service.web.common import domain_error_codes
from service.web.i18n import load_catalogues
from service.web.interview_pages import MESSAGES_BY_CODE, _domain_messages

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
