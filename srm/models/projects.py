"""Projects (opdrachten) with a social return obligation."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from srm.domain.enums import AgreementType, ProjectStatus
from srm.models.base import MONEY, enum_column, utc_column, utcnow, uuid_pk


class Project(SQLModel, table=True):
    """Project (opdracht): an awarded contract and its obligation."""

    __table_args__ = (
        sa.CheckConstraint("end_date >= start_date", name="end_not_before_start"),
        sa.CheckConstraint(
            "obligation_amount IS NULL OR obligation_amount > 0",
            name="obligation_positive",
        ),
        sa.CheckConstraint(
            "fixed_amount IS NULL OR fixed_amount > 0", name="fixed_positive"
        ),
        sa.CheckConstraint(
            "agreement_type = 'BEST_EFFORT' OR obligation_amount IS NOT NULL",
            name="obligation_required_unless_best_effort",
        ),
        sa.CheckConstraint(
            "(fixed_amount IS NULL) = (fixed_on IS NULL)", name="fixed_amount_with_date"
        ),
        sa.CheckConstraint(
            "agreement_type = 'FRAMEWORK' OR fixed_amount IS NULL",
            name="fixed_amount_only_for_framework",
        ),
        sa.CheckConstraint(
            "intermediary_id IS NULL OR intermediary_id <> contractor_id",
            name="intermediary_not_contractor",
        ),
        sa.Index("ix_project_lower_name", sa.text("lower(name)")),
    )

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=300)
    reference: str | None = Field(default=None, max_length=100)
    contracting_authority_id: uuid.UUID = Field(
        foreign_key="organisation.id", index=True
    )
    contractor_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    intermediary_id: uuid.UUID | None = Field(
        default=None, foreign_key="organisation.id", index=True
    )
    region_id: uuid.UUID = Field(foreign_key="region.id", index=True)
    policy_id: uuid.UUID = Field(foreign_key="policy.id", index=True)
    start_date: date
    end_date: date
    agreement_type: AgreementType = Field(sa_column=enum_column(AgreementType))
    obligation_amount: Decimal | None = Field(default=None, sa_type=MONEY)
    fixed_amount: Decimal | None = Field(default=None, sa_type=MONEY)
    fixed_on: date | None = None
    status: ProjectStatus = Field(
        default=ProjectStatus.ACTIVE, sa_column=enum_column(ProjectStatus)
    )
    created_by: uuid.UUID | None = Field(default=None, foreign_key="user_account.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
