"""Column helpers shared by the tables."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

MONEY = sa.Numeric(14, 2)
HOURS = sa.Numeric(5, 2)


def utcnow() -> datetime:
    return datetime.now(tz=UTC)


def uuid_pk() -> Any:
    return Field(default_factory=uuid.uuid4, primary_key=True)


def enum_column(
    enum: type[Enum], *, nullable: bool = False, **kwargs: Any
) -> sa.Column:
    """Store an enum as its name in a VARCHAR with a CHECK constraint."""
    return sa.Column(
        sa.Enum(
            enum,
            native_enum=False,
            create_constraint=True,
            length=40,
            name=f"ck_{enum.__name__.lower()}",
            values_callable=lambda members: [member.value for member in members],
        ),
        nullable=nullable,
        **kwargs,
    )


def utc_column(*, nullable: bool = False, **kwargs: Any) -> sa.Column:
    return sa.Column(sa.DateTime(timezone=True), nullable=nullable, **kwargs)
