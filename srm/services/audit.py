"""Recording and reading the audit trail.

Events name the fields that changed, never their values, so the trail contains
no personal data of candidates. Each event is written in the transaction of
the change it records.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.domain.access import Viewer
from srm.models import AuditEvent
from srm.request_context import current_request_id


class AuditAction:
    CREATE = "CREATE"
    UPDATE = "UPDATE"
    DELETE = "DELETE"
    VALIDATE = "VALIDATE"
    APPROVE = "APPROVE"
    COMPLETE = "COMPLETE"
    LOGIN = "LOGIN"
    LOGIN_FAILED = "LOGIN_FAILED"
    LOGOUT = "LOGOUT"
    TOTP_RESET = "TOTP_RESET"
    EXPORT = "EXPORT"


def changed_fields(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """Return the sorted names of keys whose values differ."""
    return sorted(name for name in after if before.get(name) != after[name])


def record(
    session: AsyncSession,
    *,
    action: str,
    object_type: str,
    object_id: uuid.UUID | None,
    viewer: Viewer | None = None,
    user_id: uuid.UUID | None = None,
    organisation_id: uuid.UUID | None = None,
    project_id: uuid.UUID | None = None,
    region_id: uuid.UUID | None = None,
    fields: Iterable[str] = (),
) -> AuditEvent:
    """Add an event to the session; it is written when the transaction commits."""
    event = AuditEvent(
        at=datetime.now(tz=UTC),
        action=action,
        user_id=viewer.user_id if viewer else user_id,
        organisation_id=viewer.organisation_id if viewer else organisation_id,
        object_type=object_type,
        object_id=object_id,
        project_id=project_id,
        region_id=region_id,
        changed_fields=sorted(fields),
        request_id=current_request_id(),
    )
    session.add(event)
    return event


async def list_events(
    session: AsyncSession,
    *,
    where: list[sa.ColumnElement[bool]],
    offset: int,
    limit: int,
) -> tuple[list[AuditEvent], int]:
    """Return a page of events, newest first, and the total count."""
    rows = (
        (
            await session.exec(  # type: ignore[call-overload]
                sa.select(AuditEvent)
                .where(*where)
                .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id))
                .offset(offset)
                .limit(limit)
            )
        )
        .scalars()
        .all()
    )
    total = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(sa.func.count()).select_from(AuditEvent).where(*where)
        )
    ).scalar_one()
    return list(rows), total
