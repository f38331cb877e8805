"""HTTP endpoints for a graduate's destination history (``/graduates/{id}/destinations``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, get, post
from litestar.params import JSONBody, QueryParameter

from service.destinations.schemas import (
    Confirmation, DestinationCreate, DestinationHistory, DestinationRead, Dispute, InFieldOverride,
)
from service.destinations.service import DestinationService, to_read
from service.pagination import DbSession, IdPath


class DestinationController(Controller):
    path = "/graduates/{graduate_id:int}/destinations"
    tags = ["destinations"]

    @post("/", summary="Record a destination (毕业去向)")
    async def record_destination(
        self, db_session: DbSession, graduate_id: IdPath, data: JSONBody[DestinationCreate]
    ) -> DestinationRead:
        """Append an outcome from a self-report, school survey or import; 对口 is proposed from the
        major↔occupation mapping. 404 unknown graduate; 400 malformed body; 422 bad field (named)."""
        return to_read(await DestinationService(db_session).record(graduate_id, data))

    @get("/", summary="Destination history of a graduate")
    async def destination_history(
        self, db_session: DbSession, graduate_id: IdPath,
        as_of: Annotated[dt.date | None, QueryParameter(description="day for `current` (default today)")] = None,
    ) -> DestinationHistory:
        """Every event in recording order, and the outcome that counts on ``as_of`` under the
        documented precedence rule. 404 for an unknown graduate."""
        return await DestinationService(db_session).history(graduate_id, as_of)

    @post("/{event_id:int}/in-field-override", summary="School overrides 对口 with a reason")
    async def override_in_field(
        self, db_session: DbSession, graduate_id: IdPath, event_id: IdPath,
        data: JSONBody[InFieldOverride],
    ) -> DestinationRead:
        """A new event setting 对口 of the outcome; the outcome is unchanged. 404 unknown graduate or
        event; 409 when ``event_id`` is not an outcome; 422 when the outcome is not direct employment."""
        return to_read(await DestinationService(db_session).override_in_field(graduate_id, event_id, data))

    @post("/{event_id:int}/confirmation", summary="Graduate confirms an outcome")
    async def confirm_destination(
        self, db_session: DbSession, graduate_id: IdPath, event_id: IdPath,
        data: JSONBody[Confirmation],
    ) -> DestinationRead:
        """A new ``confirmation`` event; 404/409 as for the override."""
        return to_read(await DestinationService(db_session).confirm(graduate_id, event_id, data))

    @post("/{event_id:int}/dispute", summary="Graduate disputes an outcome")
    async def dispute_destination(
        self, db_session: DbSession, graduate_id: IdPath, event_id: IdPath,
        data: JSONBody[Dispute],
    ) -> DestinationRead:
        """A new ``dispute`` event with the reason; the outcome stops counting. 404/409 as above."""
        return to_read(await DestinationService(db_session).dispute(graduate_id, event_id, data))
