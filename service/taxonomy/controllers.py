"""HTTP endpoints for the skill / occupation taxonomy (``/taxonomy``).

Every route needs a signed-in user (any role); nothing here is public.
"""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.params import PathParameter

from matching.taxonomy_sources import MAX_CODE
from service.auth.guards import require_signed_in
from service.errors import InvalidInputError
from service.pagination import DbSession
from service.taxonomy.schemas import OccupationRead
from service.taxonomy.service import code_from_path, occupation_read

SchemeParam = Annotated[
    str, PathParameter(pattern=r"^[a-z]{1,16}$", description="classification: esco, onet or vocmatch")
]
CodeParam = Annotated[
    str,
    PathParameter(
        description="the occupation's code in the scheme (an ESCO URI may be given as is or percent-encoded)"
    ),
]


class TaxonomyController(Controller):
    path = "/taxonomy"
    tags = ["taxonomy"]

    @get(
        "/occupations/{scheme:str}/{code:path}", summary="Read an occupation and its skills", guards=[require_signed_in]
    )
    async def get_occupation(self, db_session: DbSession, scheme: SchemeParam, code: CodeParam) -> OccupationRead:
        """One occupation of a classification with its other labels and the skills it needs
        (ESCO essential/optional; O*NET hot technology/technology, and importance as a 0–1 weight).

        ``code`` is the occupation's code in ``scheme``: an O*NET-SOC code (``47-2152.00``), an ESCO
        concept URI (``http://data.europa.eu/esco/occupation/…``, as is or percent-encoded), or our
        own slug. Errors: 400 for a malformed scheme or a code longer than 200 characters, 401
        signed out, 404 for an occupation the scheme does not have.
        """
        code = code_from_path(code)
        if not code or len(code) > MAX_CODE:
            raise InvalidInputError("code", f"must be 1–{MAX_CODE} characters", source="path")
        return await occupation_read(db_session, scheme, code)
