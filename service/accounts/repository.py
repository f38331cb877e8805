"""Database queries for users and login sessions."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.accounts.models import AuthSession, User


class AccountRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, user_id: int) -> User | None:
        return await self.session.get(User, user_id)

    async def by_login(self, email: str | None, phone: str | None) -> User | None:
        """The user whose e-mail is ``email`` or whose phone is ``phone`` (normalised values)."""
        if email is not None:
            stmt = select(User).where(User.email == email)
        elif phone is not None:
            stmt = select(User).where(User.phone == phone)
        else:
            return None
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def login_taken(self, email: str | None, phone: str | None) -> str | None:
        """``"email"`` or ``"phone"`` if another account already uses it, else ``None``."""
        if email is not None and await self.by_login(email, None) is not None:
            return "email"
        if phone is not None and await self.by_login(None, phone) is not None:
            return "phone"
        return None

    async def graduate_has_account(self, graduate_id: int) -> bool:
        stmt = select(User.id).where(User.graduate_id == graduate_id)
        return (await self.session.execute(stmt)).first() is not None

    async def get_session(self, session_id: int) -> AuthSession | None:
        return await self.session.get(AuthSession, session_id)

    async def session_by_public_id(self, public_id: str) -> AuthSession | None:
        """The login session named ``public_id`` in refresh tokens."""
        stmt = select(AuthSession).where(AuthSession.public_id == public_id)
        return (await self.session.execute(stmt)).scalar_one_or_none()
