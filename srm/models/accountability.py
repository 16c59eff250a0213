"""Accountability entries (verantwoording): costs and candidates of a project."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from srm.domain.enums import ContractType, EducationLevel, TargetGroup
from srm.models.base import HOURS, MONEY, enum_column, utc_column, utcnow, uuid_pk


class Cost(SQLModel, table=True):
    """Cost (kosten) made for the obligation.

    For a category valued per hour, ``hours`` is stored and ``amount`` is
    computed from the category's hourly rate.
    """

    __table_args__ = (
        sa.CheckConstraint("amount > 0", name="amount_positive"),
        sa.CheckConstraint("hours IS NULL OR hours > 0", name="hours_positive"),
        sa.Index("ix_cost_project_date", "project_id", "date"),
    )

    id: uuid.UUID = uuid_pk()
    project_id: uuid.UUID = Field(foreign_key="project.id")
    description: str = Field(max_length=500)
    amount: Decimal = Field(sa_type=MONEY)
    hours: Decimal | None = Field(default=None, sa_type=sa.Numeric(8, 2))
    date: date
    category_id: uuid.UUID | None = Field(default=None, foreign_key="cost_category.id")
    note: str | None = Field(default=None, sa_type=sa.Text)
    declared_truthful_by: uuid.UUID = Field(foreign_key="user_account.id")
    declared_truthful_at: datetime = Field(sa_column=utc_column())
    validated_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    validated_at: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Candidate(SQLModel, table=True):
    """Candidate (kandidaat): a person given work on the project.

    The columns ``first_day`` to ``value_forecast`` are the valuation terms,
    fixed when the entry is written (see ``srm.domain.valuation``).
    ``person_key`` is a keyed hash of the normalised name and date of birth,
    so the same person can be recognised without comparing names.
    """

    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="end_not_before_start"),
        sa.CheckConstraint(
            "hours_per_week > 0 AND hours_per_week <= 60",
            name="hours_per_week_in_range",
        ),
        sa.CheckConstraint(
            "hourly_wage IS NULL OR hourly_wage > 0", name="wage_positive"
        ),
        sa.CheckConstraint("value_forecast >= 0", name="value_not_negative"),
        # One expression for person and project that no query uses, so the
        # planner never picks this GiST index for lookups by project or person.
        # It misjudged the index's cost both ways (see docs/benchmarks.md).
        postgresql.ExcludeConstraint(
            (sa.text("(person_key || '/' || project_id::text)"), "="),
            (sa.text("daterange(start_date, end_date, '[]')"), "&&"),
            name="no_overlapping_person_on_project",
            using="gist",
        ),
    )

    id: uuid.UUID = uuid_pk()
    project_id: uuid.UUID = Field(foreign_key="project.id", index=True)
    first_name: str = Field(max_length=100)
    name_infix: str | None = Field(default=None, max_length=30)
    last_name: str = Field(max_length=150)
    date_of_birth: date
    residence_id: uuid.UUID = Field(foreign_key="residence.id")
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id")
    job_title: str = Field(max_length=200)
    education_level: EducationLevel = Field(sa_column=enum_column(EducationLevel))
    building_block_id: uuid.UUID = Field(foreign_key="building_block.id")
    bonus_codes: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(postgresql.ARRAY(sa.Text), nullable=False),
    )
    target_group: TargetGroup = Field(sa_column=enum_column(TargetGroup))
    contract_type: ContractType = Field(sa_column=enum_column(ContractType))
    start_date: date
    end_date: date
    hours_per_week: Decimal = Field(sa_type=HOURS)
    hourly_wage: Decimal | None = Field(default=None, sa_type=sa.Numeric(8, 2))
    note: str | None = Field(default=None, sa_type=sa.Text)
    person_key: str = Field(max_length=64, index=True)
    first_day: date
    last_day: date
    yearly_value: Decimal = Field(sa_type=MONEY)
    hours_counted: Decimal = Field(sa_type=HOURS)
    fulltime_hours: Decimal = Field(sa_type=HOURS)
    value_forecast: Decimal = Field(sa_type=MONEY)
    declared_truthful_by: uuid.UUID = Field(foreign_key="user_account.id")
    declared_truthful_at: datetime = Field(sa_column=utc_column())
    validated_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    validated_at: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
