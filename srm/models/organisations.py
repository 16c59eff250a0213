"""Organisations, their users and login sessions."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from srm.domain.enums import OrganisationKind, Role
from srm.models.base import enum_column, utc_column, utcnow, uuid_pk


class Organisation(SQLModel, table=True):
    """Organisation (organisatie) of one kind; the kind fixes its users' role."""

    __table_args__ = (
        sa.CheckConstraint("kvk_number ~ '^[0-9]{8}$'", name="kvk_number_eight_digits"),
        sa.CheckConstraint(
            "kind NOT IN ('EMPLOYER_SERVICE_POINT', 'COORDINATION_POINT') "
            "OR region_id IS NOT NULL",
            name="regional_kind_has_region",
        ),
    )

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=200)
    kind: OrganisationKind = Field(sa_column=enum_column(OrganisationKind))
    kvk_number: str | None = Field(default=None, max_length=8, unique=True)
    region_id: uuid.UUID | None = Field(
        default=None, foreign_key="region.id", index=True
    )
    is_demo: bool = Field(default=False)


class User(SQLModel, table=True):
    """Personal account (account) of one person in one organisation."""

    __tablename__ = "user_account"
    __table_args__ = (
        sa.CheckConstraint("email = lower(email)", name="email_lower_case"),
    )

    id: uuid.UUID = uuid_pk()
    email: str = Field(max_length=254, unique=True)
    full_name: str = Field(max_length=200)
    organisation_id: uuid.UUID = Field(foreign_key="organisation.id", index=True)
    role: Role = Field(sa_column=enum_column(Role))
    password_hash: str | None = Field(default=None, max_length=200)
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_confirmed: bool = Field(default=False)
    totp_last_step: int | None = Field(default=None, sa_type=sa.BigInteger)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())


class Session(SQLModel, table=True):
    """Login session; only the SHA-256 hash of its bearer token is stored."""

    __tablename__ = "user_session"

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    last_seen_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    revoked_at: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True)
    )
