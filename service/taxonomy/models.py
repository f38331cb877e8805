"""Skill / certificate / occupation taxonomy with aliases, and major → occupation mapping."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
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


class MajorOccupation(Base):
    """A major's in-field (对口) occupations."""

    __tablename__ = "major_occupations"
    __table_args__ = (UniqueConstraint("major_code", "concept_id"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    major_code: Mapped[str] = mapped_column(ForeignKey("majors.code", ondelete="CASCADE"), index=True)
    concept_id: Mapped[int] = mapped_column(ForeignKey("taxonomy_concepts.id", ondelete="CASCADE"), index=True)
