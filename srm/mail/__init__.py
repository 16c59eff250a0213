"""Mail: Dutch templates, the outbox and the hand-off to the job queue.

A change that causes a mail calls ``enqueue_mail`` inside its own
transaction; after the commit the caller passes the ids to
``schedule_sending``. The worker job ``send_mail`` sends each mail once, and
the periodic job ``flush_outbox`` schedules mails that were never scheduled.

Each template ``<name>`` has three files in ``templates/``:
``<name>.subject.txt``, ``<name>.txt`` and ``<name>.html``. Only the HTML part
is autoescaped. A missing context variable raises ``jinja2.UndefinedError``.
Context variables per template:

- ``welcome``: full_name, organisation (name), activation_url, expires_on
- ``password_reset``: full_name, reset_url, valid_hours
- ``totp_reset``: full_name, login_url
- ``added_to_project``: full_name, project_name, project_url

``expires_on`` may be a ``date`` or an aware ``datetime``; the ``dutch_date``
filter writes it in Dutch, with the time in Europe/Amsterdam.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from arq.connections import ArqRedis, create_pool
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.models import OutboxMail
from srm.redis import QUEUE_NAME, arq_redis_settings

logger = logging.getLogger(__name__)

TEMPLATE_DIR = Path(__file__).parent / "templates"
SUBJECT_MAX_LENGTH = 300  # mail_outbox.subject is VARCHAR(300)
# RFC 5321 limits an SMTP path to 256 octets, including the angle brackets.
ADDRESS_MAX_LENGTH = 254
# The API calls schedule_sending inside a request, so an unreachable Redis
# must not hold that request for long.
SCHEDULE_TIMEOUT_SECONDS = 3.0

DUTCH_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
DUTCH_TIME_ZONE = ZoneInfo("Europe/Amsterdam")


class UnknownMailTemplateError(ValueError):
    """A template name without its three files in ``srm/mail/templates``."""


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text: str
    html: str


def format_dutch_date(value: date | datetime) -> str:
    """Format a date as "3 maart 2026", and an aware datetime with "om 14:05" in Dutch time."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError(
                f"Naive datetime {value.isoformat()} in a mail context. "
                "Pass an aware datetime."
            )
        local = value.astimezone(DUTCH_TIME_ZONE)
        day = f"{local.day} {DUTCH_MONTHS[local.month - 1]} {local.year}"
        return f"{day} om {local:%H:%M}"
    return f"{value.day} {DUTCH_MONTHS[value.month - 1]} {value.year}"


_environment = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
_environment.filters["dutch_date"] = format_dutch_date


def template_names() -> list[str]:
    """List the templates that have a subject, a text and an HTML file.

    Files starting with "_" are shared layouts, not mails.
    """
    names = []
    for subject_file in TEMPLATE_DIR.glob("*.subject.txt"):
        name = subject_file.name.removesuffix(".subject.txt")
        if name.startswith("_"):
            continue
        if (TEMPLATE_DIR / f"{name}.txt").is_file() and (
            TEMPLATE_DIR / f"{name}.html"
        ).is_file():
            names.append(name)
    return sorted(names)


def render_mail(template: str, context: dict[str, Any]) -> RenderedMail:
    """Render the subject, text and HTML part of a template.

    Raises ``UnknownMailTemplateError`` for an unknown name and
    ``jinja2.UndefinedError`` for a missing context variable.
    """
    known = template_names()
    if template not in known:
        raise UnknownMailTemplateError(
            f"Unknown mail template {template!r}. Known templates: {', '.join(known)}."
        )
    subject = _environment.get_template(f"{template}.subject.txt").render(context)
    # A header is one line: newlines from the context would break it.
    subject = " ".join(subject.split())
    if len(subject) > SUBJECT_MAX_LENGTH:
        subject = subject[: SUBJECT_MAX_LENGTH - 1] + "…"
    return RenderedMail(
        subject=subject,
        text=_environment.get_template(f"{template}.txt").render(context),
        html=_environment.get_template(f"{template}.html").render(context),
    )


def normalise_address(address: str) -> str:
    """Return the bare address ``local@domain``, or raise ``ValueError`` if it is invalid."""
    try:
        parsed = Address(addr_spec=address.strip())
    except (ValueError, HeaderParseError) as error:
        raise ValueError(
            f"Invalid mail address {address!r}: {error}. Expected name@domain."
        ) from error
    if not parsed.domain:
        raise ValueError(f"Invalid mail address {address!r}: the domain is missing.")
    if len(parsed.addr_spec) > ADDRESS_MAX_LENGTH:
        raise ValueError(
            f"Invalid mail address {address!r}: longer than {ADDRESS_MAX_LENGTH} characters."
        )
    return parsed.addr_spec


async def enqueue_mail(
    session: AsyncSession, *, to: str, template: str, context: dict[str, Any]
) -> OutboxMail:
    """Render ``template`` in Dutch and add it to the outbox in the caller's transaction.

    The mail is flushed, so its ``id`` is set, but it is only stored when the
    caller commits. Raises ``ValueError`` for an invalid address,
    ``UnknownMailTemplateError`` for an unknown template and
    ``jinja2.UndefinedError`` for a missing context variable.
    """
    address = normalise_address(to)
    rendered = render_mail(template, context)
    mail = OutboxMail(
        template=template,
        to_address=address,
        subject=rendered.subject,
        body_text=rendered.text,
        body_html=rendered.html,
    )
    session.add(mail)
    await session.flush()
    return mail


async def schedule_sending(
    redis_url: str | Redis | None,
    mail_ids: Sequence[uuid.UUID],
    *,
    queue_name: str = QUEUE_NAME,
) -> None:
    """Schedule a ``send_mail`` job for each outbox mail; a Redis failure loses nothing.

    ``redis_url`` is a Redis URL or an open ``redis.asyncio.Redis`` client,
    such as an arq pool. None, for a server that started without Redis, is
    treated as unreachable Redis. Each mail gets the job id ``mail:<id>``, so a mail
    that is already queued or running is not queued again. When Redis is
    unreachable or slower than ``SCHEDULE_TIMEOUT_SECONDS``, this logs a
    warning and returns. The mails stay PENDING, and the worker's
    ``flush_outbox`` job schedules due PENDING mails once a minute. An
    invalid URL still raises ``ValueError``.
    """
    unscheduled = list(mail_ids)
    if not unscheduled:
        return
    if redis_url is None:
        logger.warning(
            "no job queue: %d mails, starting with mail %s, wait for flush_outbox",
            len(unscheduled),
            unscheduled[0],
        )
        return
    try:
        async with asyncio.timeout(SCHEDULE_TIMEOUT_SECONDS):
            pool, owned = await _open_arq_pool(redis_url)
            try:
                while unscheduled:
                    mail_id = unscheduled[0]
                    job = await pool.enqueue_job(
                        "send_mail",
                        str(mail_id),
                        _job_id=f"mail:{mail_id}",
                        _queue_name=queue_name,
                    )
                    if job is None:
                        logger.debug(
                            "mail %s already has a queued or running job, so it is not queued again",
                            mail_id,
                        )
                    unscheduled.pop(0)
            finally:
                if owned:
                    await pool.aclose()
    except (RedisError, OSError, TimeoutError) as error:
        if not unscheduled:
            logger.warning(
                "closing the Redis connection failed after scheduling %d mails: %s: %s",
                len(mail_ids),
                type(error).__name__,
                error,
            )
            return
        logger.warning(
            "scheduling %d of %d mails failed, starting with mail %s. "
            "flush_outbox schedules them later: %s: %s",
            len(unscheduled),
            len(mail_ids),
            unscheduled[0],
            type(error).__name__,
            error,
        )


async def _open_arq_pool(redis: str | Redis) -> tuple[ArqRedis, bool]:
    """Return an arq client for ``redis`` and whether the caller must close it."""
    if isinstance(redis, ArqRedis):
        return redis, False
    if isinstance(redis, Redis):
        # Shares the client's connection pool, so closing is left to its owner.
        return ArqRedis(connection_pool=redis.connection_pool), False
    # arq 0.28 retries a failed connection 5 times, 1 s apart, by default.
    settings = dataclasses.replace(arq_redis_settings(redis), conn_retries=0)
    return await create_pool(settings), True
