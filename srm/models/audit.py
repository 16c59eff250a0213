"""Audit trail (audittrail): who changed what and when, without personal values."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlmodel import Field, SQLModel

from srm.models.base import utc_column, utcnow, uuid_pk


class AuditEvent(SQLModel, table=True):
    """One recorded action. ``changed_fields`` names fields, never their values."""

    __tablename__ = "audit_event"
    __table_args__ = (
        sa.Index("ix_audit_event_region_at", "region_id", "at"),
        sa.Index("ix_audit_event_project_at", "project_id", "at"),
    )

    id: uuid.UUID = uuid_pk()
    at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    action: str = Field(max_length=40)
    user_id: uuid.UUID | None = Field(
        default=None, foreign_key="user_account.id", index=True
    )
    organisation_id: uuid.UUID | None = Field(
        default=None, foreign_key="organisation.id"
    )
    object_type: str = Field(max_length=40)
    object_id: uuid.UUID | None = None
    project_id: uuid.UUID | None = Field(default=None, foreign_key="project.id")
    region_id: uuid.UUID | None = Field(default=None, foreign_key="region.id")
    changed_fields: list[str] = Field(
        default_factory=list,
        sa_column=sa.Column(postgresql.ARRAY(sa.Text), nullable=False),
    )
    request_id: str | None = Field(default=None, max_length=64)
