"""Reading the taxonomy: an occupation with its labels and the skills it needs.

Flushes nothing and never commits (read only).
"""

from __future__ import annotations

import re
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from service.errors import NotFoundError
from service.taxonomy.models import Concept, ConceptAlias, ConceptKind, ConceptRelation
from service.taxonomy.schemas import OccupationRead, SkillLinkRead

#: ``http:/x`` → ``http://x``: a URL path cannot carry ``//``, so an ESCO URI in a path arrives
#: with one slash after its scheme; this restores it (no code of ours has ``:/`` otherwise).
_URI_SLASHES = re.compile(r"^([a-z][a-z0-9+.-]*):/(?=[^/])")


class SkillLink(NamedTuple):
    """One skill of an occupation: its label, the relation's name and its 0–1 weight (or ``None``)."""

    label: str
    relation: str
    weight: float | None


def code_from_path(code: str) -> str:
    """A concept code as given in a URL path (``{code:path}``): without the leading ``/`` the router
    keeps, and with ``scheme://`` restored where the path merged the two slashes
    (``http:/data.europa.eu/esco/…`` → ``http://data.europa.eu/esco/…``)."""
    return _URI_SLASHES.sub(r"\1://", code.lstrip("/"))


async def _occupation(session: AsyncSession, scheme: str, code: str) -> Concept:
    found = (
        await session.execute(
            select(Concept).where(
                Concept.scheme == scheme, Concept.code == code, Concept.kind == ConceptKind.OCCUPATION
            )
        )
    ).scalar_one_or_none()
    if found is None:
        raise NotFoundError("occupation", f"{scheme}:{code}")
    return found


async def _skill_rows(session: AsyncSession, occupation_id: int) -> list[tuple[str, str, str, float | None]]:
    skill = aliased(Concept)
    rows = await session.execute(
        select(skill.code, skill.label, ConceptRelation.relation, ConceptRelation.weight)
        .join(skill, skill.id == ConceptRelation.skill_id)
        .where(ConceptRelation.occupation_id == occupation_id)
        .order_by(
            ConceptRelation.weight.is_(None),
            ConceptRelation.weight.desc(),
            ConceptRelation.relation,
            skill.label,
            skill.code,
        )
    )
    return [tuple(r) for r in rows.tuples()]  # type: ignore[misc]  # rows of the four selected columns


async def skills_for_occupation(session: AsyncSession, scheme: str, code: str) -> list[SkillLink]:
    """The skills occupation ``code`` of ``scheme`` needs, as ``(skill label, relation, weight)``.

    ``relation`` and ``weight`` are as stored by the importer (:class:`~service.taxonomy.models.ConceptRelation`:
    ESCO ``essential``/``optional``; O*NET ``hot_technology``/``technology``/``importance`` with the
    importance as a 0–1 weight). Order: rated links first, highest weight first; then by relation
    name (``essential`` before ``optional``, ``hot_technology`` before ``technology``), then label.
    An occupation without relations gives ``[]``. Raises :class:`~service.errors.NotFoundError`
    when the scheme has no occupation ``code``.
    """
    occupation = await _occupation(session, scheme, code)
    return [
        SkillLink(label, relation, weight) for _, label, relation, weight in await _skill_rows(session, occupation.id)
    ]


async def occupation_read(session: AsyncSession, scheme: str, code: str) -> OccupationRead:
    """Occupation ``code`` of ``scheme`` with its aliases and skills (order as in
    :func:`skills_for_occupation`, each with the skill's code). Raises
    :class:`~service.errors.NotFoundError` for an unknown occupation."""
    occupation = await _occupation(session, scheme, code)
    aliases = (
        (
            await session.execute(
                select(ConceptAlias.label).where(ConceptAlias.concept_id == occupation.id).order_by(ConceptAlias.label)
            )
        )
        .scalars()
        .all()
    )
    skills = [
        SkillLinkRead(code=c, label=label, relation=relation, weight=weight)
        for c, label, relation, weight in await _skill_rows(session, occupation.id)
    ]
    return OccupationRead(
        scheme=occupation.scheme,
        code=occupation.code,
        kind=occupation.kind,
        label=occupation.label,
        lang=occupation.lang,
        aliases=list(aliases),
        skills=skills,
    )
