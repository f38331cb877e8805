"""Every event kind a notification can be about, with its texts in Chinese and English.

A kind fixes who it is for (``audience``, which roles see it on their preferences page), which
``params`` the caller must give (and which ``optional`` ones it may), whether it has an in-app
inbox entry (``inbox``; ``account_activation`` is e-mail only), whether e-mail is on by default
and whether the user may switch it off (``configurable``).

Texts are ``str.format`` templates over the params. A param with ``labels`` in its kind
(``status``, ``decision``…) takes one of the labelled values and is shown through its label in the
reader's language; a param whose name
ends in ``_at`` is an ISO 8601 instant shown in Beijing time; ``extra`` lines are appended when
their param is present (``"*"``: any value) or has the given value.

Rule for callers: params carry no personal data of anyone but the recipient (no names, phone
numbers or 身份证号 of graduates): a notification says *what* happened; its ``link`` opens the page
that shows *who*, under that page's access rules (and audit). E-mails leave our control, and an
inbox entry outlives a graduate's erasure of their data.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from service.accounts.models import Role
from service.config import ZONE

#: Languages texts exist in (the web catalogues' locale names); ``zh_Hans`` is the default.
Language = Literal["zh_Hans", "en"]
LANGUAGES: tuple[Language, ...] = ("zh_Hans", "en")
DEFAULT_LANGUAGE: Language = "zh_Hans"


class Kind(enum.StrEnum):
    """Event kinds. The first four and the two follow-up kinds are sent by the existing code paths;
    the others are for the features that will send them (messages, interviews, job alerts, sign-up)."""

    APPLICATION_RECEIVED = "application_received"  # → the employer's members
    APPLICATION_STATUS_CHANGED = "application_status_changed"  # → the graduate
    POSTING_CLOSED = "posting_closed"  # → the posting's live applicants
    EMPLOYER_VERIFICATION_DECIDED = "employer_verification_decided"  # → the employer's members
    MESSAGE_RECEIVED = "message_received"
    INTERVIEW_PROPOSED = "interview_proposed"
    INTERVIEW_REMINDER = "interview_reminder"
    INTERVIEW_ANSWERED = "interview_answered"
    DESTINATION_REVIEW_DECIDED = "destination_review_decided"  # → the graduate (the school's review)
    FOLLOW_UP_REMINDER = "follow_up_reminder"  # → graduates selected on the follow-up list
    JOB_ALERT_DIGEST = "job_alert_digest"
    ACCOUNT_ACTIVATION = "account_activation"  # e-mail only, always sent
    INTERNSHIP_TO_CONFIRM = "internship_to_confirm"  # → the employer's members (service.internships)
    INTERNSHIP_RECORDED = "internship_recorded"  # → the student
    INTERNSHIP_CONFIRMED = "internship_confirmed"  # → the student
    APPLICATION_WITHDRAWN = "application_withdrawn"  # → the employer's members
    INVITATION_TO_APPLY = "invitation_to_apply"  # → the invited candidate
    INTERVIEW_CANCELLED = "interview_cancelled"  # → the applicant (the employer called the interview off)


Texts = Mapping[str, str]  # language → template


@dataclass(frozen=True)
class KindSpec:
    """What :func:`service.notifications.service.notify` needs to know about one kind."""

    kind: Kind
    audience: frozenset[Role]
    subject: Texts
    body: Texts
    params: tuple[str, ...] = ()
    optional: tuple[str, ...] = ()
    #: ``(param, value or "*") → texts`` appended to the body when the param matches
    extra: Mapping[tuple[str, str], Texts] = field(default_factory=dict)
    #: ``param → value → texts``: the param must be one of the values and is shown by its label
    labels: Mapping[str, Mapping[str, Texts]] = field(default_factory=dict)
    inbox: bool = True
    email_default: bool = True
    configurable: bool = True
    #: needs a ``link`` (e.g. the activation link)
    link_required: bool = False
    #: the link is a secret (a token): after sending, the outbox row keeps no body or link
    sensitive: bool = False


STATUS: dict[str, Texts] = {  # service.applications.models.ApplicationStatus
    "applied": {"zh_Hans": "已投递", "en": "applied"},
    "viewed": {"zh_Hans": "已查看", "en": "viewed by the employer"},
    "interview": {"zh_Hans": "邀请面试", "en": "invited to an interview"},
    "offer": {"zh_Hans": "录用意向", "en": "offer made"},
    "hired": {"zh_Hans": "已录用", "en": "hired"},
    "rejected": {"zh_Hans": "未通过", "en": "not selected"},
    "withdrawn": {"zh_Hans": "已撤回", "en": "withdrawn"},
}
CLOSED_REASON: dict[str, Texts] = {
    "closed": {"zh_Hans": "已被用人单位关闭", "en": "was closed by the employer"},
    "filled": {"zh_Hans": "已招满", "en": "has been filled"},
    "expired": {"zh_Hans": "已过截止日期", "en": "has passed its closing date"},
}
DECISION: dict[str, Texts] = {
    "approved": {"zh_Hans": "已通过", "en": "approved"},
    "accepted": {"zh_Hans": "已通过", "en": "accepted"},
    "refused": {"zh_Hans": "未通过", "en": "not approved"},
}
SENDER: dict[str, Texts] = {  # service.conversations: who wrote a message
    "employer": {"zh_Hans": "用人单位", "en": "The employer"},
    "applicant": {"zh_Hans": "求职者", "en": "The applicant"},
}
ANSWER: dict[str, Texts] = {
    "accepted": {"zh_Hans": "接受了面试时间", "en": "accepted the interview time"},
    "declined": {"zh_Hans": "谢绝了面试", "en": "declined the interview"},
    "reschedule": {"zh_Hans": "希望另约时间", "en": "asked for another time"},
}

_G, _E = frozenset({Role.GRADUATE}), frozenset({Role.EMPLOYER})
_BOTH = frozenset({Role.GRADUATE, Role.EMPLOYER})

KINDS: dict[Kind, KindSpec] = {
    spec.kind: spec
    for spec in (
        KindSpec(
            Kind.APPLICATION_RECEIVED,
            _E,
            params=("posting_title",),
            subject={"zh_Hans": "新投递：{posting_title}", "en": "New application: {posting_title}"},
            body={
                "zh_Hans": "你的岗位「{posting_title}」收到一份新的投递。打开投递列表查看求职者。",
                "en": "Your posting “{posting_title}” has a new application. Open the applications to see "
                "the applicant.",
            },
        ),
        KindSpec(
            Kind.APPLICATION_STATUS_CHANGED,
            _G,
            params=("posting_title", "employer_name", "status"),
            labels={"status": STATUS},
            subject={"zh_Hans": "投递状态更新：{posting_title}", "en": "Application update: {posting_title}"},
            body={
                "zh_Hans": "你投递给{employer_name}的岗位「{posting_title}」现在的状态是：{status}。",
                "en": "Your application to {employer_name} for “{posting_title}” is now: {status}.",
            },
        ),
        KindSpec(
            Kind.POSTING_CLOSED,
            _G,
            params=("posting_title", "employer_name", "reason"),
            labels={"reason": CLOSED_REASON},
            subject={"zh_Hans": "岗位已停止招聘：{posting_title}", "en": "Posting closed: {posting_title}"},
            body={
                "zh_Hans": "你投递的{employer_name}岗位「{posting_title}」{reason}，不再接受投递。看看其他推荐岗位吧。",
                "en": "The posting “{posting_title}” at {employer_name} you applied to {reason} and takes no "
                "more applications. Have a look at your other recommended jobs.",
            },
        ),
        KindSpec(
            Kind.EMPLOYER_VERIFICATION_DECIDED,
            _E,
            params=("employer_name", "decision"),
            optional=("reason",),
            labels={"decision": {k: DECISION[k] for k in ("approved", "refused")}},
            subject={"zh_Hans": "单位审核结果：{decision}", "en": "Employer verification: {decision}"},
            body={
                "zh_Hans": "{employer_name}的单位审核结果：{decision}。",
                "en": "The verification of {employer_name}: {decision}.",
            },
            extra={
                ("decision", "approved"): {
                    "zh_Hans": "你的岗位现在会展示给毕业生。",
                    "en": "Your postings are now shown to graduates.",
                },
                ("decision", "refused"): {
                    "zh_Hans": "在审核通过之前，你的岗位不会展示给毕业生。请按原因更正单位信息后联系审核人员。",
                    "en": "Until it is approved, your postings are not shown to graduates. "
                    "Correct your details as the reason says, then contact the staff.",
                },
                ("reason", "*"): {"zh_Hans": "原因：{reason}", "en": "Reason: {reason}"},
            },
        ),
        KindSpec(
            # who wrote is a label, never a graduate's name (params carry no one else's personal data);
            # the message text itself stays on the page, behind the thread's access rules
            Kind.MESSAGE_RECEIVED,
            _BOTH,
            params=("posting_title", "sender"),
            optional=("employer_name",),
            labels={"sender": SENDER},
            subject={"zh_Hans": "新消息：{posting_title}", "en": "New message: {posting_title}"},
            body={
                "zh_Hans": "{sender}就岗位「{posting_title}」给你发来一条新消息。",
                "en": "{sender} sent you a new message about “{posting_title}”.",
            },
            extra={("employer_name", "*"): {"zh_Hans": "用人单位：{employer_name}", "en": "Employer: {employer_name}"}},
        ),
        KindSpec(
            Kind.INTERVIEW_PROPOSED,
            _G,
            params=("employer_name", "posting_title"),
            subject={"zh_Hans": "面试邀请：{posting_title}", "en": "Interview invitation: {posting_title}"},
            body={
                "zh_Hans": "{employer_name}邀请你参加岗位「{posting_title}」的面试。请选择一个时间，或提出其他时间。",
                "en": "{employer_name} invites you to an interview for “{posting_title}”. Choose a time or "
                "ask for another.",
            },
        ),
        KindSpec(
            Kind.INTERVIEW_REMINDER,
            _BOTH,
            params=("posting_title", "employer_name", "starts_at"),
            optional=("place",),
            subject={"zh_Hans": "面试提醒：{starts_at}", "en": "Interview reminder: {starts_at}"},
            body={
                "zh_Hans": "提醒：岗位「{posting_title}」（{employer_name}）的面试将于 {starts_at}（北京时间）开始。",
                "en": "Reminder: the interview for “{posting_title}” ({employer_name}) starts at {starts_at} "
                "(Beijing time).",
            },
            extra={("place", "*"): {"zh_Hans": "地点：{place}", "en": "Place: {place}"}},
        ),
        KindSpec(
            Kind.INTERVIEW_ANSWERED,
            _E,
            params=("posting_title", "answer"),
            labels={"answer": ANSWER},
            subject={"zh_Hans": "面试回复：{posting_title}", "en": "Interview answer: {posting_title}"},
            body={
                "zh_Hans": "岗位「{posting_title}」的求职者{answer}。",
                "en": "The applicant for “{posting_title}” {answer}.",
            },
        ),
        KindSpec(
            Kind.INTERVIEW_CANCELLED,
            _G,
            params=("posting_title", "employer_name"),
            optional=("starts_at", "reason"),
            subject={"zh_Hans": "面试已取消：{posting_title}", "en": "Interview cancelled: {posting_title}"},
            body={
                "zh_Hans": "{employer_name}取消了岗位「{posting_title}」的面试。",
                "en": "{employer_name} cancelled the interview for “{posting_title}”.",
            },
            extra={
                ("starts_at", "*"): {
                    "zh_Hans": "原定时间：{starts_at}（北京时间）",
                    "en": "It was to start at {starts_at} (Beijing time).",
                },
                ("reason", "*"): {"zh_Hans": "原因：{reason}", "en": "Reason: {reason}"},
            },
        ),
        KindSpec(
            Kind.DESTINATION_REVIEW_DECIDED,
            _G,
            params=("decision",),
            optional=("reason",),
            labels={"decision": {k: DECISION[k] for k in ("accepted", "refused")}},
            subject={"zh_Hans": "毕业去向审核结果：{decision}", "en": "Your destination report: {decision}"},
            body={
                "zh_Hans": "学校已审核你报告的毕业去向：{decision}。",
                "en": "Your school reviewed the destination you reported: {decision}.",
            },
            extra={("reason", "*"): {"zh_Hans": "原因：{reason}", "en": "Reason: {reason}"}},
        ),
        KindSpec(
            Kind.FOLLOW_UP_REMINDER,
            _G,
            params=("school_name",),
            optional=("message",),
            subject={"zh_Hans": "请更新你的毕业去向", "en": "Please update your destination"},
            body={
                "zh_Hans": "{school_name}请你报告或确认你的毕业去向。",
                "en": "{school_name} asks you to report or confirm where you went after graduating.",
            },
            extra={("message", "*"): {"zh_Hans": "学校留言：{message}", "en": "Message from your school: {message}"}},
        ),
        KindSpec(
            # sent by the daily job job_alert_digest (service.alerts): one per graduate and run, listing
            # every alert's new postings; ``jobs`` is their lines (title · employer · place, then the link)
            Kind.JOB_ALERT_DIGEST,
            _G,
            params=("search_name", "count"),
            optional=("jobs", "more"),
            subject={"zh_Hans": "{count} 个新岗位符合「{search_name}」", "en": "New jobs for “{search_name}”: {count}"},
            body={
                "zh_Hans": "你保存的搜索「{search_name}」有 {count} 个新岗位。",
                "en": "Your saved search “{search_name}” has new matching jobs: {count}.",
            },
            extra={
                ("jobs", "*"): {"zh_Hans": "{jobs}", "en": "{jobs}"},
                ("more", "*"): {
                    "zh_Hans": "另有 {more} 个新岗位，请打开“职位提醒”页面查看。",
                    "en": "{more} more new jobs: open “Job alerts” to see them.",
                },
            },
        ),
        KindSpec(
            Kind.ACCOUNT_ACTIVATION,
            _BOTH,
            optional=("expires_hours",),
            inbox=False,
            configurable=False,
            link_required=True,
            sensitive=True,
            subject={"zh_Hans": "激活你的 vocmatch 账号", "en": "Activate your vocmatch account"},
            body={
                "zh_Hans": "请打开下面的链接激活你的账号。如果不是你本人注册，请忽略这封邮件。",
                "en": "Open the link below to activate your account. If you did not sign up, ignore this e-mail.",
            },
            extra={
                ("expires_hours", "*"): {
                    "zh_Hans": "链接在 {expires_hours} 小时内有效。",
                    "en": "The link is valid for {expires_hours} hours.",
                }
            },
        ),
        KindSpec(
            Kind.INTERNSHIP_TO_CONFIRM,
            _E,
            params=("school_name", "start_date", "end_date"),
            subject={
                "zh_Hans": "请确认顶岗实习安排：{school_name}",
                "en": "Please confirm an internship placement: {school_name}",
            },
            body={
                "zh_Hans": "{school_name}登记了一名学生在贵单位顶岗实习（{start_date} 至 {end_date}）。请打开实习列表核对并确认。",
                "en": "{school_name} recorded a student's internship placement with you from {start_date} "
                "to {end_date}. Open the internships to check and confirm it.",
            },
        ),
        KindSpec(
            Kind.INTERNSHIP_RECORDED,
            _G,
            params=("employer_name", "start_date", "end_date"),
            subject={
                "zh_Hans": "你的顶岗实习已登记：{employer_name}",
                "en": "Your internship is recorded: {employer_name}",
            },
            body={
                "zh_Hans": "学校已登记你在{employer_name}的顶岗实习（{start_date} 至 {end_date}），等待单位确认。",
                "en": "Your school recorded your internship at {employer_name} from {start_date} to "
                "{end_date}; the employer is asked to confirm it.",
            },
        ),
        KindSpec(
            Kind.INTERNSHIP_CONFIRMED,
            _G,
            params=("employer_name",),
            subject={"zh_Hans": "实习单位已确认：{employer_name}", "en": "Internship confirmed: {employer_name}"},
            body={
                "zh_Hans": "{employer_name}已确认你的顶岗实习安排。",
                "en": "{employer_name} confirmed your internship placement.",
            },
        ),
        KindSpec(
            Kind.APPLICATION_WITHDRAWN,
            _E,
            params=("posting_title",),
            subject={"zh_Hans": "投递已撤回：{posting_title}", "en": "Application withdrawn: {posting_title}"},
            body={
                "zh_Hans": "岗位「{posting_title}」的一位求职者撤回了投递，其联系方式不再向你显示。",
                "en": "An applicant for “{posting_title}” withdrew their application; their contact details are no "
                "longer shown to you.",
            },
        ),
        KindSpec(
            Kind.INVITATION_TO_APPLY,
            _G,
            params=("posting_title", "employer_name"),
            subject={"zh_Hans": "邀请你投递：{posting_title}", "en": "Invitation to apply: {posting_title}"},
            body={
                "zh_Hans": "{employer_name}在推荐人选中看到了你的求职资料，邀请你投递岗位「{posting_title}」。"
                "在你接受邀请之前，对方看不到你的姓名和联系方式。",
                "en": "{employer_name} saw your profile among the recommended candidates and invites you to apply for "
                "“{posting_title}”. Until you accept, they see neither your name nor your contact details.",
            },
        ),
    )
}


def spec_of(kind: Kind | str) -> KindSpec:
    """The spec of ``kind``. Raises ``ValueError`` naming the known kinds for an unknown one."""
    try:
        return KINDS[Kind(kind)]
    except ValueError:
        raise ValueError(f"unknown notification kind {kind!r}; kinds: {', '.join(k.value for k in Kind)}") from None


def language_of(value: str | None) -> Language:
    """A supported language (``zh_Hans`` for anything else, e.g. ``None``)."""
    return next((language for language in LANGUAGES if language == value), DEFAULT_LANGUAGE)


def check_params(spec: KindSpec, params: Mapping[str, Any]) -> dict[str, Any]:
    """``params`` as stored: every required param present and not empty, nothing unknown, values
    JSON scalars, labelled params (:attr:`KindSpec.labels`) one of their values.

    Raises:
        ValueError: naming the kind and the param (a programming error of the caller).
    """
    allowed = set(spec.params) | set(spec.optional)
    unknown = sorted(set(params) - allowed)
    if unknown:
        raise ValueError(f"{spec.kind}: unknown params {unknown}; allowed: {sorted(allowed)}")
    missing = [p for p in spec.params if params.get(p) in (None, "")]
    if missing:
        raise ValueError(f"{spec.kind}: params {missing} are required")
    out: dict[str, Any] = {}
    for name, value in params.items():
        if value is None:
            continue
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise ValueError(f"{spec.kind}: param {name!r} must be a string or a number, not {type(value).__name__}")
        labels = spec.labels.get(name)
        if labels is not None and str(value) not in labels:
            raise ValueError(f"{spec.kind}: param {name!r} is {value!r}; one of {sorted(labels)}")
        if name.endswith("_at"):
            _instant(spec, name, value)
        out[name] = value
    return out


def _instant(spec: KindSpec, name: str, value: object) -> dt.datetime:
    try:
        moment = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{spec.kind}: param {name!r} must be an ISO 8601 date-time, not {value!r}") from None
    if moment.tzinfo is None:
        raise ValueError(f"{spec.kind}: param {name!r} needs a time zone offset ({value!r})")
    return moment


def _shown(spec: KindSpec, name: str, value: object, language: str) -> str:
    labels = spec.labels.get(name)
    if labels is not None and str(value) in labels:
        return labels[str(value)][language]
    if name.endswith("_at"):
        return _instant(spec, name, value).astimezone(ZONE).strftime("%Y-%m-%d %H:%M")
    return str(value)


def render(kind: Kind | str, params: Mapping[str, Any], language: str | None) -> tuple[str, str]:
    """``(subject, body)`` of a notification in ``language`` (Chinese when unsupported). Params
    stored by an older version and no longer known are ignored; a missing one shows as empty."""
    spec = spec_of(kind)
    lang = language_of(language)
    values = {name: "" for name in (*spec.params, *spec.optional)}
    values.update({k: _shown(spec, k, v, lang) for k, v in params.items() if k in values and v not in (None, "")})
    lines = [spec.body[lang].format_map(values)]
    for (name, wanted), texts in spec.extra.items():
        value = params.get(name)
        if value not in (None, "") and wanted in ("*", str(value)):
            lines.append(texts[lang].format_map(values))
    return spec.subject[lang].format_map(values), "\n".join(lines)
