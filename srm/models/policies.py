"""Valuation policies (beleid, methodiek) with their building blocks, bonuses and cost categories."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from srm.domain.enums import BonusKind, CostValuation
from srm.models.base import HOURS, MONEY, enum_column, utc_column, utcnow, uuid_pk


class Policy(SQLModel, table=True):
    """One version of a region's valuation policy; projects are bound to one."""

    __table_args__ = (
        sa.CheckConstraint(
            "fulltime_hours_per_week > 0 AND fulltime_hours_per_week <= 60",
            name="fulltime_hours_in_range",
        ),
        sa.CheckConstraint(
            "default_max_months IS NULL OR default_max_months > 0",
            name="default_max_months_positive",
        ),
    )

    id: uuid.UUID = uuid_pk()
    code: str = Field(max_length=80, unique=True)
    name: str = Field(max_length=300)
    region_id: uuid.UUID | None = Field(
        default=None, foreign_key="region.id", index=True
    )
    source: str | None = Field(default=None, sa_type=sa.Text)
    applies_to: str | None = Field(default=None, sa_type=sa.Text)
    valid_from: date | None = None
    fulltime_hours_per_week: Decimal = Field(sa_type=HOURS)
    default_max_months: int | None = None
    notes: str | None = Field(default=None, sa_type=sa.Text)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class BuildingBlock(SQLModel, table=True):
    """Building block (bouwblok): the yearly value of one kind of placement.

    ``max_months`` is the counting cap after applying the policy default;
    NULL means no cap.
    """

    __tablename__ = "building_block"
    __table_args__ = (
        sa.UniqueConstraint("policy_id", "code", name="uq_building_block_code"),
        sa.CheckConstraint("yearly_value > 0", name="yearly_value_positive"),
        sa.CheckConstraint(
            "max_months IS NULL OR max_months > 0", name="max_months_positive"
        ),
    )

    id: uuid.UUID = uuid_pk()
    policy_id: uuid.UUID = Field(foreign_key="policy.id", index=True)
    position: int = 0
    code: str = Field(max_length=80)
    name: str = Field(max_length=300)
    yearly_value: Decimal = Field(sa_type=MONEY)
    max_months: int | None = None


class Bonus(SQLModel, table=True):
    """Bonus (bonus) on top of a building block's value."""

    __table_args__ = (
        sa.UniqueConstraint("policy_id", "code", name="uq_bonus_code"),
        sa.CheckConstraint(
            "(kind = 'YEARLY' AND yearly_value > 0) OR (kind <> 'YEARLY' AND yearly_value IS NULL)",
            name="yearly_bonus_has_value",
        ),
    )

    id: uuid.UUID = uuid_pk()
    policy_id: uuid.UUID = Field(foreign_key="policy.id", index=True)
    position: int = 0
    code: str = Field(max_length=80)
    name: str = Field(max_length=300)
    kind: BonusKind = Field(sa_column=enum_column(BonusKind))
    yearly_value: Decimal | None = Field(default=None, sa_type=MONEY)
    min_age: int | None = None


class CostCategory(SQLModel, table=True):
    """Cost category (keuzekaart) of a policy; some are valued per hour."""

    __tablename__ = "cost_category"
    __table_args__ = (
        sa.UniqueConstraint("policy_id", "code", name="uq_cost_category_code"),
        sa.CheckConstraint(
            "valuation <> 'HOURLY_RATE' OR hourly_rate IS NOT NULL",
            name="hourly_category_has_rate",
        ),
        sa.CheckConstraint(
            "hourly_rate IS NULL OR hourly_rate > 0", name="hourly_rate_positive"
        ),
    )

    id: uuid.UUID = uuid_pk()
    policy_id: uuid.UUID = Field(foreign_key="policy.id", index=True)
    position: int = 0
    code: str = Field(max_length=80)
    name: str = Field(max_length=300)
    valuation: CostValuation = Field(sa_column=enum_column(CostValuation))
    hourly_rate: Decimal | None = Field(default=None, sa_type=MONEY)
