"""Reference data: labour-market regions, municipalities and residences."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from srm.models.base import uuid_pk


class Region(SQLModel, table=True):
    """Labour-market region (arbeidsmarktregio) with its own coordination point."""

    id: uuid.UUID = uuid_pk()
    code: str = Field(max_length=40, unique=True)
    name: str = Field(max_length=200)


class Municipality(SQLModel, table=True):
    """Municipality (gemeente) with its 4-digit CBS code."""

    __table_args__ = (
        sa.CheckConstraint("code ~ '^[0-9]{4}$'", name="code_four_digits"),
    )

    id: uuid.UUID = uuid_pk()
    code: str = Field(max_length=4, unique=True)
    name: str = Field(max_length=200)
    province: str | None = Field(default=None, max_length=100)
    region_id: uuid.UUID | None = Field(
        default=None, foreign_key="region.id", index=True
    )


class Residence(SQLModel, table=True):
    """Residence (woonplaats): a place name within one municipality.

    ``bag_code`` is the BAG woonplaatscode where known; places taken from other
    lists have none. A name can occur in several municipalities.
    """

    __table_args__ = (
        sa.UniqueConstraint(
            "name", "municipality_id", name="uq_residence_name_municipality"
        ),
        sa.Index("ix_residence_lower_name", sa.text("lower(name)")),
    )

    id: uuid.UUID = uuid_pk()
    name: str = Field(max_length=200)
    bag_code: str | None = Field(default=None, max_length=4, unique=True)
    municipality_id: uuid.UUID = Field(foreign_key="municipality.id", index=True)
    source: str = Field(max_length=40)
