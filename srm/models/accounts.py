"""Single-use account tokens and the mail outbox."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from srm.models.base import utc_column, utcnow, uuid_pk


class AccountToken(SQLModel, table=True):
    """Single-use token of an activation or password-reset link; stored as a SHA-256 hash."""

    __tablename__ = "account_token"
    __table_args__ = (
        sa.CheckConstraint(
            "purpose IN ('ACTIVATION', 'PASSWORD_RESET')", name="known_purpose"
        ),
    )

    id: uuid.UUID = uuid_pk()
    user_id: uuid.UUID = Field(foreign_key="user_account.id", index=True)
    purpose: str = Field(max_length=20)
    token_hash: str = Field(max_length=64, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    expires_at: datetime = Field(sa_column=utc_column())
    used_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class OutboxMail(SQLModel, table=True):
    """A mail written in the transaction of the change that causes it, sent by a job.

    ``status`` is PENDING until the SMTP server accepted it (SENT), or FAILED
    after the last retry.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (
        sa.CheckConstraint(
            "status IN ('PENDING', 'SENT', 'FAILED')", name="known_status"
        ),
        sa.Index(
            "ix_mail_outbox_pending",
            "next_attempt_at",
            postgresql_where=sa.text("status = 'PENDING'"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    created_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    template: str = Field(max_length=80)
    to_address: str = Field(max_length=254)
    subject: str = Field(max_length=300)
    body_text: str = Field(sa_type=sa.Text)
    body_html: str = Field(sa_type=sa.Text)
    status: str = Field(default="PENDING", max_length=10)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=utc_column())
    last_error: str | None = Field(default=None, max_length=500)
    sent_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
