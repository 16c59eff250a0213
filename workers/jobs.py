"""arq jobs. Each is a plain ``async def job(ctx, ...)`` and safe to run twice.

The worker's ``ctx`` contains ``sessionmaker``, ``settings`` (srm.config
Settings), ``queue_name`` and, from arq, ``redis``.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import aiosmtplib
import sqlalchemy as sa
from arq.worker import Retry
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.mail import schedule_sending
from srm.mail.sender import deliver
from srm.models import OutboxMail
from srm.models.base import utcnow

logger = logging.getLogger(__name__)

# A mail is FAILED after this many attempts. With retry_delay_seconds the
# attempts span 2 + 4 + ... + 2048 s, so the last one is about 68 minutes
# after the first: long enough to ride out a short SMTP outage.
MAX_ATTEMPTS = 12
MAX_RETRY_DELAY_SECONDS = 3600
# Maximum number of mails that flush_outbox schedules per run, oldest due first.
FLUSH_BATCH_SIZE = 500
# SMTP reply codes from 500 on are permanent (RFC 5321, section 4.2.1).
PERMANENT_SMTP_CODE = 500
LAST_ERROR_MAX_LENGTH = 500  # mail_outbox.last_error is VARCHAR(500)


async def ping(ctx: dict[str, Any]) -> str:
    """Check that the worker reaches the database; used by tests and health checks."""
    async with ctx["sessionmaker"]() as session:
        await session.exec(sa.text("SELECT 1"))
    return "pong"


def retry_delay_seconds(attempts: int) -> int:
    """Return the wait before the next attempt: 2**attempts seconds, at most an hour."""
    return min(2**attempts, MAX_RETRY_DELAY_SECONDS)


async def send_mail(ctx: dict[str, Any], mail_id: str) -> str:
    """Send one PENDING outbox mail and record the outcome.

    Returns "sent", "failed" (no attempts left, or the server rejected the
    recipient permanently) or "skipped" (not PENDING, unknown, or locked by a
    concurrent run). Raises ``arq.worker.Retry`` after a failed attempt with
    attempts left. The failure is committed before that, so nothing is lost
    if the retry never runs.

    The row stays locked (FOR UPDATE) while the SMTP server is contacted, so
    a second run of this job skips it instead of sending it again.
    """
    async with ctx["sessionmaker"].begin() as session:
        mail = await _lock_pending_mail(session, uuid.UUID(mail_id))
        if mail is None:
            logger.info(
                "mail %s skipped: not pending, not found or locked by another job",
                mail_id,
            )
            return "skipped"
        try:
            await deliver(ctx["settings"], mail)
        except aiosmtplib.SMTPException as error:
            retry_delay = _record_failure(mail, error)
        else:
            # NOTE: if this commit fails after the SMTP server accepted the
            # mail, the mail stays PENDING and is sent again later, with the
            # same Message-ID.
            mail.status = "SENT"
            mail.sent_at = utcnow()
            # The body may carry a single-use link; once sent, only the mailbox keeps it.
            mail.body_text = ""
            mail.body_html = ""
            logger.info("mail %s sent after %d failed attempts", mail_id, mail.attempts)
            return "sent"
    if retry_delay is None:
        return "failed"
    raise Retry(defer=retry_delay)


async def flush_outbox(ctx: dict[str, Any]) -> int:
    """Schedule ``send_mail`` for up to FLUSH_BATCH_SIZE due PENDING mails; return their count.

    This catches mails whose job never reached Redis or was lost. A mail
    that already has a queued or running job is not queued twice, because
    ``schedule_sending`` uses the job id ``mail:<id>``.
    """
    async with ctx["sessionmaker"]() as session:
        due_ids = (
            await session.exec(
                select(OutboxMail.id)
                .where(OutboxMail.status == "PENDING")
                .where(OutboxMail.next_attempt_at <= utcnow())
                .order_by(OutboxMail.next_attempt_at)  # type: ignore[arg-type]
                .limit(FLUSH_BATCH_SIZE)
            )
        ).all()
    if due_ids:
        logger.info("flush_outbox: scheduling %d due mails", len(due_ids))
        await schedule_sending(ctx["redis"], due_ids, queue_name=ctx["queue_name"])
    return len(due_ids)


async def _lock_pending_mail(
    session: AsyncSession, mail_id: uuid.UUID
) -> OutboxMail | None:
    statement = (
        select(OutboxMail)
        .where(OutboxMail.id == mail_id)
        .where(OutboxMail.status == "PENDING")
        .with_for_update(skip_locked=True)
    )
    return (await session.exec(statement)).first()


def _record_failure(mail: OutboxMail, error: aiosmtplib.SMTPException) -> int | None:
    """Count a failed attempt and return the retry delay, or None once the mail is FAILED."""
    mail.attempts += 1
    mail.last_error = _describe_error(error)[:LAST_ERROR_MAX_LENGTH]
    permanent = _is_permanent(error)
    if permanent or mail.attempts >= MAX_ATTEMPTS:
        mail.status = "FAILED"
        logger.error(
            "mail %s FAILED after %d attempts (%s): %s",
            mail.id,
            mail.attempts,
            "recipient rejected" if permanent else "no attempts left",
            mail.last_error,
        )
        return None
    delay = retry_delay_seconds(mail.attempts)
    mail.next_attempt_at = utcnow() + timedelta(seconds=delay)
    logger.warning(
        "mail %s attempt %d of %d failed, retry in %d s: %s",
        mail.id,
        mail.attempts,
        MAX_ATTEMPTS,
        delay,
        mail.last_error,
    )
    return delay


def _is_permanent(error: aiosmtplib.SMTPException) -> bool:
    """Tell whether the server rejected every recipient with a 5xx reply.

    Other 5xx replies, such as a rejected login or sender, come from the
    configuration of the monitor and may succeed after it is fixed.
    """
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        return all(refusal.code >= PERMANENT_SMTP_CODE for refusal in error.recipients)
    if isinstance(error, aiosmtplib.SMTPRecipientRefused):
        return error.code >= PERMANENT_SMTP_CODE
    return False


def _describe_error(error: aiosmtplib.SMTPException) -> str:
    """Return the error class and the server reply, without the mail body."""
    if isinstance(error, aiosmtplib.SMTPRecipientsRefused):
        detail = "; ".join(
            f"{refusal.code} {refusal.message}" for refusal in error.recipients
        )
    elif isinstance(error, aiosmtplib.SMTPResponseException):
        detail = f"{error.code} {error.message}"
    else:
        detail = error.message
    return f"{type(error).__name__}: {detail}"
