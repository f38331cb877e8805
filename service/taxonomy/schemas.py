"""Response bodies for the skill / occupation taxonomy."""

from __future__ import annotations

import msgspec

from service.taxonomy.models import ConceptKind


class SkillLinkRead(msgspec.Struct):
    """A skill an occupation needs: ``relation`` as the classification names it (ESCO
    ``essential``/``optional``, O*NET ``technology``/``hot_technology``/``importance``); ``weight``
    0–1 where the source rates the link (O*NET importance ``(value − 1) / 4``), else ``null``."""

    code: str
    label: str
    relation: str
    weight: float | None


class OccupationRead(msgspec.Struct):
    """An occupation of one classification (``scheme`` ``esco``, ``onet`` or ``vocmatch``) with its
    other labels (``aliases``, in label order) and the skills it needs (``skills``, ordered as
    :func:`service.taxonomy.service.skills_for_occupation` orders them)."""

    scheme: str
    code: str
    kind: ConceptKind
    label: str
    lang: str
    aliases: list[str]
    skills: list[SkillLinkRead]
