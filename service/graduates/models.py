"""Graduates and adult trainees (求职者) with their certificates, awards and experience."""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from service.catalog.models import Major, School
from service.db import Base, IdType, TimestampMixin, str_enum
from vocab import EducationLevel


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class SeekerKind(enum.StrEnum):
    GRADUATE = "graduate"  # 中职毕业生
    ADULT_TRAINEE = "adult_trainee"  # 成人学员, e.g. returning migrant workers
    EXTERNAL = "external"  # job seeker imported from another platform


class ExperienceKind(enum.StrEnum):
    WORK_PLACEMENT = "work_placement"  # 顶岗实习 / 岗位实习
    INTERNSHIP = "internship"
    JOB = "job"


#: Fields that come from the school's roster (学籍): graduates cannot change them; staff changes
#: are audited (issue 14, item 14). ``id_number`` is one of them and never leaves the service whole.
ROSTER_FIELDS = (
    "kind",
    "gender",
    "student_number",
    "id_number",
    "school_id",
    "major_code",
    "education",
    "graduation_date",
    "cohort",
    "class_name",
)


class Graduate(TimestampMixin, Base):
    """A job seeker's profile. ``id_number`` (身份证号) is stored but only ever returned masked.

    ``id_number`` is unique across the whole database (a unique index) and always stored in its
    normalised form (:func:`service.graduates.identity.normalise_id_number`: full-width folded,
    upper-case ``X``), which every assignment goes through, so the index is on the normalised
    number whatever path wrote it.
    """

    __tablename__ = "graduates"
    __table_args__ = (
        UniqueConstraint("school_id", "student_number"),
        UniqueConstraint("source", "external_id"),
        # the follow-up list and the dashboards read one school's cohort (issue 17)
        Index("ix_graduates_school_id_cohort", "school_id", "cohort"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    kind: Mapped[SeekerKind] = mapped_column(str_enum(SeekerKind), default=SeekerKind.GRADUATE)
    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[Gender] = mapped_column(str_enum(Gender), default=Gender.UNKNOWN)
    student_number: Mapped[str | None] = mapped_column(String(32))
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True, index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    school: Mapped[School | None] = relationship(lazy="raise")
    major_code: Mapped[str | None] = mapped_column(ForeignKey("majors.code"), index=True)
    major: Mapped[Major | None] = relationship(lazy="raise")
    education: Mapped[EducationLevel] = mapped_column(
        str_enum(EducationLevel), default=EducationLevel.SECONDARY_VOCATIONAL
    )
    graduation_date: Mapped[dt.date | None] = mapped_column(Date)
    cohort: Mapped[int | None] = mapped_column(index=True)  # 届, graduation year
    #: 班级 (the class in the school's roster, e.g. "2022级数控1班"): follow-up lists are worked by class;
    #: invitation sheets are printed per class
    class_name: Mapped[str | None] = mapped_column(String(64))
    #: 培训机构 of an adult trainee (e.g. a returning migrant workers' training programme), self-declared
    training_institution: Mapped[str | None] = mapped_column(String(200))

    country: Mapped[str] = mapped_column(String(2), default="CN")
    region_code: Mapped[str | None] = mapped_column(ForeignKey("regions.code"), index=True)
    province: Mapped[str | None] = mapped_column(String(64))
    city: Mapped[str | None] = mapped_column(String(64))

    skills: Mapped[list[str]] = mapped_column(default=list)
    summary: Mapped[str] = mapped_column(Text, default="")
    desired_titles: Mapped[list[str]] = mapped_column(default=list)  # positions of interest
    preferred_locations: Mapped[list[str]] = mapped_column(default=list)  # region codes or city names
    min_salary_monthly: Mapped[int | None] = mapped_column()  # 元/月
    preferred_job_types: Mapped[list[str]] = mapped_column(default=list)  # EmploymentType values
    recommendable: Mapped[bool] = mapped_column(default=True)  # opt-out of employer recommendations
    #: 困难群体 (脱贫家庭/低保家庭/零就业家庭/残疾 …) for the report breakdown; None = not recorded
    disadvantaged: Mapped[bool | None] = mapped_column()

    source: Mapped[str] = mapped_column(String(32), default="platform")
    external_id: Mapped[str | None] = mapped_column(String(64))

    certificates: Mapped[list[GraduateCertificate]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="GraduateCertificate.id"
    )
    awards: Mapped[list[GraduateAward]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="GraduateAward.id"
    )
    experiences: Mapped[list[GraduateExperience]] = relationship(
        lazy="raise", cascade="all, delete-orphan", order_by="GraduateExperience.id"
    )

    @validates("id_number")
    def _normalised_id_number(self, _key: str, value: str | None) -> str | None:
        """Every 身份证号 is stored normalised (raises :class:`~service.errors.InvalidFieldError`
        for an invalid one), so the unique index compares normalised numbers."""
        from service.graduates.identity import normalise_id_number  # identity imports this module

        return None if value is None else normalise_id_number(value)


class GraduateCertificate(Base):
    """A vocational certificate (职业资格证书 / 职业技能等级证书 / 1+X 证书)."""

    __tablename__ = "graduate_certificates"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(32))  # 初级/中级/高级, 五级…一级
    issuer: Mapped[str | None] = mapped_column(String(200))
    issued_on: Mapped[dt.date | None] = mapped_column(Date)


class GraduateAward(Base):
    """A skills-competition award (技能大赛获奖)."""

    __tablename__ = "graduate_awards"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    competition: Mapped[str] = mapped_column(String(200))
    level: Mapped[str | None] = mapped_column(String(32))  # 国家级/省级/市级
    prize: Mapped[str | None] = mapped_column(String(32))  # 一等奖…
    year: Mapped[int | None] = mapped_column()


class GraduateExperience(Base):
    """An internship (顶岗实习) or a job held."""

    __tablename__ = "graduate_experiences"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    graduate_id: Mapped[int] = mapped_column(ForeignKey("graduates.id", ondelete="CASCADE"), index=True)
    kind: Mapped[ExperienceKind] = mapped_column(str_enum(ExperienceKind), default=ExperienceKind.JOB)
    employer_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    city: Mapped[str | None] = mapped_column(String(64))
    province: Mapped[str | None] = mapped_column(String(64))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
