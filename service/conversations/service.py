"""Messages of an application's thread and invitations to apply.

Who writes: the applicant and the members of the posting's employer — nobody else (staff and the
admin may not speak for either side). A thread is open while the application is live or hired;
after a withdrawal or a rejection it is read-only.

Rules for a message (checked in this order, nothing is stored when one fails):

* 1–2000 characters after trimming (422, field ``body``);
* no 身份证号 in any message (422): it is never shown to employers, not even in part;
* no phone number or e-mail address from the graduate before they agreed to share contact details
  for this application (422): consent goes through the switch, which can be withdrawn
  (PIPL 《个人信息保护法》 Art. 15 and 23), while a number typed into a message cannot be taken back;
* at most ``Settings.message_rate_per_sender`` messages per sender (``limits`` notation, moving
  windows counted from the stored messages, so the limit holds across workers and restarts; 429
  with ``Retry-After``);
* the other side is told (:data:`~service.notifications.kinds.Kind.MESSAGE_RECEIVED`), without
  the text and without the graduate's name.

Bodies are stored as typed and escaped where shown (Jinja2 autoescape on the pages; JSON strings
in the API).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Sequence

from limits import parse_many
from litestar.exceptions import TooManyRequestsException
from sqlalchemy import ColumnElement, SQLColumnExpression, select
from sqlalchemy.ext.asyncio import AsyncSession
from stdnum.cn import ric

from service.accounts.models import Role
from service.applications.models import Application, ApplicationStatus
from service.applications.schemas import ApplicationCreate
from service.applications.service import ApplicationService, closed_reason
from service.auth.guards import Principal
from service.config import beijing_today
from service.conversations.models import MESSAGE_MAX_CHARS, Invitation, InvitationStatus, Message
from service.conversations.repository import ConversationRepository
from service.conversations.schemas import InvitationAnswer, InvitationCreate, InvitationRead, MessageRead
from service.db import rowcount, utcnow
from service.employers.models import Employer
from service.errors import ConflictError, InvalidFieldError, NotFoundError
from service.graduates.models import Graduate
from service.graduates.repository import full_profile
from service.inputs import without_direction_controls, without_format_characters
from service.notifications.kinds import Kind
from service.notifications.service import employer_recipients, graduate_recipients, notify
from service.postings.models import Posting
from service.postings.visibility import HiddenPostingError
from service.privacy.deletion import not_deleted_clause
from service.recommendations.service import candidate_summary
from service.resumes.service import resume_of

#: Statuses whose thread is read-only (the graduate left, or the employer said no).
CLOSED_THREAD = frozenset({ApplicationStatus.WITHDRAWN, ApplicationStatus.REJECTED})

_SEPARATORS = re.compile(r"(?<=\d)[\s\-‐–—.()（）]+(?=\d)")
#: A mainland mobile number (11 digits from 13x–19x: MIIT 《电信网编号计划（2017年版）》), not inside a longer number.
_MOBILE = re.compile(r"(?<!\d)(?:\+?86)?1[3-9]\d{9}(?!\d)")
#: An e-mail address (the practical subset of RFC 5322 addr-spec).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_ID_NUMBER = re.compile(r"(?<![\dXx])\d{17}[\dXx](?![\dXx])")


def _plain(text: str) -> str:
    """Full-width characters folded (NFKC), invisible format characters (Unicode category ``Cf``:
    zero-width space and joiners, soft hyphen, word joiner, BOM, direction controls) and separators
    between digits removed, so ``１３８ ００１３-８０００`` and ``138\u200b0013\u200b8000`` read as
    ``13800138000``."""
    return _SEPARATORS.sub("", without_format_characters(unicodedata.normalize("NFKC", text)))


def holds_id_number(text: str) -> bool:
    """Whether ``text`` carries a valid 身份证号 (GB 11643-1999 check character, via python-stdnum)."""
    return any(ric.is_valid(m.group(0).upper()) for m in _ID_NUMBER.finditer(_plain(text)))


def holds_contact(text: str) -> bool:
    """Whether ``text`` carries a mainland mobile number or an e-mail address."""
    plain = _plain(text)
    return bool(_MOBILE.search(plain) or _EMAIL.search(plain))


async def check_rate(
    session: AsyncSession,
    rates: str,
    column: SQLColumnExpression[int | None],
    created: SQLColumnExpression[dt.datetime],
    user_id: int,
    what: str,
) -> None:
    """429 when ``user_id`` already wrote, in any of the moving windows ``rates`` (``limits``
    notation, e.g. ``10/minute;300/day``), as many rows (``column`` = the writer, ``created`` = when)
    as the window allows; ``Retry-After`` is when the oldest of them leaves its window."""
    repo = ConversationRepository(session)
    now = utcnow()
    for item in parse_many(rates):
        window = dt.timedelta(seconds=item.get_expiry())
        count, oldest = await repo.sent_since(column, user_id, now - window, created)
        if count >= item.amount:
            retry = max(1, math.ceil(((oldest or now) + window - now).total_seconds()))
            raise TooManyRequestsException(
                detail=f"too many {what} from this account (limit {item.amount} per {item.get_expiry()} seconds); "
                f"try again in {retry} seconds",
                headers={"Retry-After": str(retry)},
            )


def to_message_read(m: Message, graduate_side: bool) -> MessageRead:
    """Message → :class:`MessageRead`; ``mine`` from the side of ``graduate_side``."""
    mine = (m.sender_role is Role.GRADUATE) == graduate_side
    return MessageRead(
        id=m.id,
        application_id=m.application_id,
        sender_role=m.sender_role,
        mine=mine,
        body=m.body,
        created_at=m.created_at,
        read_at=m.read_at,
    )


def thread_side(p: Principal, application: Application) -> str | None:
    """``"graduate"`` or ``"employer"`` when ``p`` is a party of the application's thread (its
    applicant, a member of the posting's employer), else ``None``. ``application.posting`` loaded."""
    if p.role is Role.GRADUATE and p.graduate_id == application.graduate_id:
        return "graduate"
    if p.role is Role.EMPLOYER and p.employer_id == application.posting.employer_id:
        return "employer"
    return None


class ConversationService:
    """Threads and invitations. Flushes; the caller's transaction commits."""

    def __init__(
        self, session: AsyncSession, *, message_rates: str = "10/minute", invitation_rates: str = "30/hour"
    ) -> None:
        self.session = session
        self.repo = ConversationRepository(session)
        self.message_rates = message_rates
        self.invitation_rates = invitation_rates

    # --- messages --------------------------------------------------------------------------

    async def thread(
        self,
        p: Principal,
        application: Application,
        limit: int = 200,
        offset: int = 0,
    ) -> tuple[list[MessageRead], int]:
        """The thread, oldest first; the reader's side marks the other side's messages read
        (the admin only reads). The caller checked that ``p`` may read it (:func:`thread_side`)."""
        side = thread_side(p, application)
        if side is not None:
            await self.repo.mark_read(application.id, side == "graduate", utcnow())
        messages, total = await self.repo.thread(application.id, limit, offset)
        return [to_message_read(m, side == "graduate") for m in messages], total

    async def send(self, p: Principal, application: Application, body: str) -> MessageRead:
        """Store ``body`` from ``p`` (a party: :func:`thread_side`) as the module docstring says.

        Raises:
            ConflictError: the application is withdrawn or rejected (409).
            InvalidFieldError: empty or too long, a 身份证号, or contact details before consent (422).
            TooManyRequestsException: over the sender's rate (429).
        """
        side = thread_side(p, application)
        assert side is not None, "the caller checks that p is a party"
        if application.status in CLOSED_THREAD:
            status = application.status.value
            raise ConflictError(
                f"application {application.id} is {status}: its messages are read-only",
                [{"field": "body", "message": f"application is {status}"}],
            )
        # bidirectional controls are dropped from messages (the page sets the text's direction itself);
        # an emoji's zero-width joiner stays
        text = without_direction_controls(body).strip()
        if not text:
            raise InvalidFieldError("body", "write a message (it is empty)", "message_empty")
        if len(text) > MESSAGE_MAX_CHARS:
            raise InvalidFieldError("body", f"at most {MESSAGE_MAX_CHARS} characters", "message_too_long")
        if holds_id_number(text):
            raise InvalidFieldError(
                "body", "messages may not carry a 身份证号 (ID card number)", "message_has_id_number"
            )
        if side == "graduate" and holds_contact(text):
            resume = await resume_of(self.session, application.id)
            if resume is None or not resume.contact_consent:
                raise InvalidFieldError(
                    "body",
                    "to give the employer your phone or e-mail, switch on sharing "
                    "contact details for this application first",
                    "contact_before_consent",
                )
        await check_rate(
            self.session, self.message_rates, Message.sender_user_id, Message.created_at, p.user_id, "messages"
        )
        message = Message(
            application_id=application.id, sender_user_id=p.user_id, sender_role=p.role, body=text, created_at=utcnow()
        )
        self.session.add(message)
        await self.session.flush()
        await self._tell_other_side(application, side)
        return to_message_read(message, side == "graduate")

    async def _tell_other_side(self, application: Application, side: str) -> None:
        link = f"/web/applications/{application.id}/messages"
        title = application.posting.title
        if side == "graduate":
            users = await employer_recipients(self.session, application.posting.employer_id)
            await notify(
                self.session,
                recipients=users,
                kind=Kind.MESSAGE_RECEIVED,
                link=link,
                params={"posting_title": title, "sender": "applicant"},
            )
            return
        employer_name = (
            await self.session.execute(select(Employer.name).where(Employer.id == application.posting.employer_id))
        ).scalar_one()
        users = (await graduate_recipients(self.session, [application.graduate_id])).get(application.graduate_id, [])
        await notify(
            self.session,
            recipients=users,
            kind=Kind.MESSAGE_RECEIVED,
            link=link,
            params={"posting_title": title, "sender": "employer", "employer_name": employer_name},
        )

    # --- invitations -----------------------------------------------------------------------

    async def invite(self, p: Principal, posting: Posting, data: InvitationCreate) -> InvitationRead:
        """Invite candidate ``data.graduate_id`` to apply for ``posting`` (which ``p`` may see
        candidates for: the caller checked). The candidate is told
        (:data:`~service.notifications.kinds.Kind.INVITATION_TO_APPLY`); the employer keeps seeing
        only the anonymous summary until the candidate accepts.

        Raises:
            InvalidFieldError: the graduate is not in the candidate pool (unknown, opted out of
                recommendations, or erased; one message for all, no oracle) (422).
            ConflictError: the posting takes no applications, the candidate already applied, or was
                already invited to it (409).
            TooManyRequestsException: over ``Settings.invitation_rate_per_sender`` (429).
        """
        graduate = (
            await self.session.execute(
                select(Graduate)
                .options(*full_profile())
                .where(Graduate.id == data.graduate_id, Graduate.recommendable.is_(True), not_deleted_clause())
            )
        ).scalar_one_or_none()
        if graduate is None:
            raise InvalidFieldError("graduate_id", f"graduate {data.graduate_id} is not a candidate one can invite")
        reason = closed_reason(posting, beijing_today())
        if reason is not None:
            raise ConflictError(
                f"posting_id: {reason}; it takes no applications", [{"field": "posting_id", "message": reason}]
            )
        applied = (
            await self.session.execute(
                select(Application.id).where(
                    Application.posting_id == posting.id, Application.graduate_id == graduate.id
                )
            )
        ).first()
        invited = (
            await self.session.execute(
                select(Invitation.id).where(Invitation.posting_id == posting.id, Invitation.graduate_id == graduate.id)
            )
        ).first()
        if applied is not None or invited is not None:
            what = "already applied to" if applied is not None else "was already invited to"
            raise ConflictError(
                f"graduate_id: the candidate {what} posting {posting.id}",
                [{"field": "graduate_id", "message": f"the candidate {what} this posting"}],
            )
        await check_rate(
            self.session,
            self.invitation_rates,
            Invitation.invited_by_user_id,
            Invitation.created_at,
            p.user_id,
            "invitations",
        )
        invitation = Invitation(
            posting_id=posting.id,
            graduate_id=graduate.id,
            invited_by_user_id=p.user_id,
            message=(data.message or "").strip() or None,
            created_at=utcnow(),
        )
        self.session.add(invitation)
        await self.session.flush()
        employer_name = (
            await self.session.execute(select(Employer.name).where(Employer.id == posting.employer_id))
        ).scalar_one()
        users = (await graduate_recipients(self.session, [graduate.id])).get(graduate.id, [])
        await notify(
            self.session,
            recipients=users,
            kind=Kind.INVITATION_TO_APPLY,
            link="/web/invitations",
            params={"posting_title": posting.title, "employer_name": employer_name},
        )
        return InvitationRead(
            id=invitation.id,
            posting_id=posting.id,
            posting_title=posting.title,
            employer_name=employer_name,
            status=invitation.status,
            message=invitation.message,
            created_at=invitation.created_at,
            answered_at=None,
            application_id=None,
            candidate=candidate_summary(graduate),
        )

    async def invitations(
        self, where: ColumnElement[bool], *, for_employer: bool, limit: int = 200, offset: int = 0
    ) -> tuple[list[InvitationRead], int]:
        """Invitations matching ``where`` (a scope from the caller), newest first. For the employer
        each carries the anonymous candidate summary, never a name."""
        rows, total = await self.repo.invitations(where, limit, offset)
        summaries = {}
        if for_employer and rows:
            ids = {inv.graduate_id for inv, _, _ in rows}
            graduates = (
                (await self.session.execute(select(Graduate).options(*full_profile()).where(Graduate.id.in_(ids))))
                .scalars()
                .all()
            )
            summaries = {g.id: candidate_summary(g) for g in graduates}
        items = [
            InvitationRead(
                id=inv.id,
                posting_id=inv.posting_id,
                posting_title=title,
                employer_name=employer,
                status=inv.status,
                message=inv.message,
                created_at=inv.created_at,
                answered_at=inv.answered_at,
                application_id=inv.application_id,
                candidate=summaries.get(inv.graduate_id),
            )
            for inv, title, employer in rows
        ]
        return items, total

    async def get_invitation(self, invitation_id: int, where: ColumnElement[bool]) -> Invitation:
        """The invitation if it matches the caller's scope ``where``; 404 otherwise."""
        invitation = (
            await self.session.execute(
                select(Invitation)
                .where(Invitation.id == invitation_id, where)
                .execution_options(populate_existing=True)
            )
        ).scalar_one_or_none()
        if invitation is None:
            raise NotFoundError("invitation", invitation_id)
        return invitation

    async def accept(self, invitation: Invitation, answer: InvitationAnswer) -> Application:
        """Accept: apply for the posting (:meth:`ApplicationService.create`: résumé snapshot, the
        employer told of the application) and link the application to the invitation.

        Raises:
            ConflictError: the invitation was already answered, or the posting takes no
                applications any more / the graduate applied meanwhile (409).
        """
        self._check_pending(invitation)
        try:  # the postings' visibility rule is ApplicationService.create's (service.postings.visibility)
            application = await ApplicationService(self.session).create(
                ApplicationCreate(
                    graduate_id=invitation.graduate_id,
                    posting_id=invitation.posting_id,
                    cover_letter=answer.cover_letter,
                    share_contact=answer.share_contact,
                )
            )
        except HiddenPostingError:  # the invitee saw the posting: say why it is gone, not "unknown"
            raise ConflictError(
                "this employer is not verified any more: the invitation cannot be accepted",
                [{"field": "invitation", "message": "employer not verified"}],
            ) from None
        invitation.status, invitation.answered_at = InvitationStatus.ACCEPTED, utcnow()
        invitation.application_id = application.id
        await self.session.flush()
        return application

    async def decline(self, invitation: Invitation) -> Invitation:
        """Decline: the employer sees ``declined`` and still no name. 409 if already answered."""
        self._check_pending(invitation)
        invitation.status, invitation.answered_at = InvitationStatus.DECLINED, utcnow()
        await self.session.flush()
        return invitation

    @staticmethod
    def _check_pending(invitation: Invitation) -> None:
        if invitation.status is not InvitationStatus.PENDING:
            raise ConflictError(
                f"invitation {invitation.id} was already answered ({invitation.status.value})",
                [{"field": "status", "message": invitation.status.value}],
            )


async def erase_for_graduate(session: AsyncSession, graduate_id: int) -> dict[str, int]:
    """For the erasure of a graduate's personal data (:func:`service.privacy.deletion.execute_deletion`):
    the résumé snapshots of their applications and their contact consent are cleared, the message
    threads of their applications deleted (both sides: a thread is about the applicant) and the
    invitations sent to them deleted. Returns the counts."""
    from sqlalchemy import delete, update

    from service.resumes.models import ApplicationResume

    mine = select(Application.id).where(Application.graduate_id == graduate_id)
    snapshots = rowcount(
        await session.execute(
            update(ApplicationResume)
            .where(ApplicationResume.application_id.in_(mine))
            .values(snapshot=None, contact_consent=False, consent_changed_at=utcnow())
            .execution_options(synchronize_session=False)
        )
    )
    messages = rowcount(
        await session.execute(
            delete(Message).where(Message.application_id.in_(mine)).execution_options(synchronize_session=False)
        )
    )
    invitations = rowcount(
        await session.execute(
            delete(Invitation).where(Invitation.graduate_id == graduate_id).execution_options(synchronize_session=False)
        )
    )
    return {
        "resume_snapshots_erased": snapshots or 0,
        "messages_deleted": messages or 0,
        "invitations_deleted": invitations or 0,
    }


def invitations_clause(p: Principal) -> ColumnElement[bool]:
    """Invitations ``p`` may read: the graduate's own, those for the employer's postings, all for
    the admin; nothing for staff."""
    from sqlalchemy import false, true

    if p.role is Role.ADMIN:
        return true()
    if p.role is Role.GRADUATE:
        return Invitation.graduate_id == p.graduate_id
    if p.role is Role.EMPLOYER:
        return Invitation.posting_id.in_(select(Posting.id).where(Posting.employer_id == p.employer_id))
    return false()


def service_for(session: AsyncSession, settings: object) -> ConversationService:
    """A :class:`ConversationService` with the rates of ``settings`` (:class:`~service.config.Settings`)."""
    if settings is None:  # reading only (e.g. the data export): the rates are not used
        return ConversationService(session)
    return ConversationService(
        session,
        message_rates=getattr(settings, "message_rate_per_sender"),
        invitation_rates=getattr(settings, "invitation_rate_per_sender"),
    )


__all__: Sequence[str] = ("ConversationService", "invitations_clause", "service_for", "thread_side")
