"""Mail: Dutch templates, the outbox and the hand-off to the job queue.

A change that causes a mail calls ``enqueue_mail`` inside its own
transaction; after the commit the caller passes the ids to
``schedule_sending``. The worker job sends each mail once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from srm.models import OutboxMail


async def enqueue_mail(
    session: AsyncSession, *, to: str, template: str, context: dict[str, Any]
) -> OutboxMail:
    """Render ``template`` in Dutch and add it to the outbox in the caller's transaction."""
    raise NotImplementedError


async def schedule_sending(redis_url: str | Any, mail_ids: Sequence[uuid.UUID]) -> None:
    """Ask the worker to send these outbox mails; a failure here loses nothing."""
    raise NotImplementedError
