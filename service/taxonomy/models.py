"""Skill / certificate / occupation taxonomy with aliases, and major → occupation mapping."""

from __future__ import annotations

import enum

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from service.db import Base, IdType, str_enum


class ConceptKind(enum.StrEnum):
    SKILL = "skill"
    CERTIFICATE = "certificate"
    OCCUPATION = "occupation"


class Concept(Base):
    """A taxonomy entry. ``scheme`` is ``vocmatch`` (own core), ``esco`` or ``onet``; ``code`` is
    unique within it (an ESCO URI, an O*NET-SOC code, or our own slug)."""

    __tablename__ = "taxonomy_concepts"
    __table_args__ = (UniqueConstraint("scheme", "code"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    scheme: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ConceptKind] = mapped_column(str_enum(ConceptKind), index=True)
    label: Mapped[str] = mapped_column(String(300))
    lang: Mapped[str] = mapped_column(String(8), default="zh")
    aliases: Mapped[list[ConceptAlias]] = relationship(lazy="raise", cascade="all, delete-orphan")


class ConceptAlias(Base):
    __tablename__ = "taxonomy_aliases"
    __table_args__ = (UniqueConstraint("concept_id", "label"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_concepts.id", ondelete="CASCADE"), index=True)
    label: Mapped[str] = mapped_column(String(300))
    normalised: Mapped[str] = mapped_column(String(300), index=True)
    lang: Mapped[str] = mapped_column(String(8), default="zh")


class ConceptRelation(Base):
    """Occupation ``occupation_id`` needs skill ``skill_id``, as a published classification says.

    ``relation`` is the source's name for the link: ESCO ``essential`` / ``optional``
    (occupationSkillRelations), O*NET ``technology`` / ``hot_technology`` (Technology Skills, "Hot
    Technology" = Y) and ``importance`` (Skills, scale IM). ``weight`` is 0–1 where the source rates
    the link, else ``None``: O*NET importance (1–5) as ``(value − 1) / 4``, O*NET's own standardised
    score ``(O − L) / (H − L)`` without the ×100 ("Scales, Ratings, and Standardized Scores",
    O*NET Resource Center). One row per (occupation, skill, relation).
    """

    __tablename__ = "taxonomy_relations"
    __table_args__ = (UniqueConstraint("occupation_id", "skill_id", "relation"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    occupation_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_concepts.id", ondelete="CASCADE"))
    skill_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_concepts.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(32))
    weight: Mapped[float | None] = mapped_column(Float)


class MajorOccupation(Base):
    """A major's in-field (对口) occupations."""

    __tablename__ = "major_occupations"
    __table_args__ = (UniqueConstraint("major_code", "concept_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    major_code: Mapped[str] = mapped_column(ForeignKey("majors.code", ondelete="CASCADE"), index=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_concepts.id", ondelete="CASCADE"), index=True)
