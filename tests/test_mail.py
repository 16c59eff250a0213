"""Mail templates, the outbox and the send jobs, against a real SMTP server and Redis.

Every test sends to an address of its own, because the outbox table and the
SMTP sink are shared by the whole module and flush_outbox may pick up
PENDING mails that other test modules left behind.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import jinja2
import pytest
import sqlalchemy as sa
from arq.connections import ArqRedis, create_pool
from arq.jobs import Job
from arq.worker import Retry, Worker
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.config import Settings
from srm.mail import (
    UnknownMailTemplateError,
    enqueue_mail,
    format_dutch_date,
    render_mail,
    schedule_sending,
    template_names,
)
from srm.mail.sender import message_id
from srm.models import OutboxMail
from srm.redis import arq_redis_settings
from tests import conftest
from tests.smtp_sink import SmtpSink, free_port
from workers.jobs import MAX_ATTEMPTS, flush_outbox, retry_delay_seconds, send_mail
from workers.settings import worker_settings

TEMPLATE_CONTEXTS: dict[str, dict[str, Any]] = {
    "welcome": {
        "full_name": "Fenna de Wit",
        "organisation": "Bouwbedrijf Noorderzijl",
        "activation_url": "https://srm.example/activeren?token=abc123",
        "expires_on": date(2026, 3, 3),
    },
    "password_reset": {
        "full_name": "Fenna de Wit",
        "reset_url": "https://srm.example/wachtwoord?token=def456",
        "valid_hours": 2,
    },
    "totp_reset": {
        "full_name": "Fenna de Wit",
        "login_url": "https://srm.example/aanmelden",
    },
    "added_to_project": {
        "full_name": "Fenna de Wit",
        "project_name": "Renovatie Zuiderbad",
        "project_url": "https://srm.example/projecten/42",
    },
}
TEMPLATE_LINKS = {
    "welcome": "https://srm.example/activeren?token=abc123",
    "password_reset": "https://srm.example/wachtwoord?token=def456",
    "totp_reset": "https://srm.example/aanmelden",
    "added_to_project": "https://srm.example/projecten/42",
}
TEMPLATE_PHRASES = {
    "welcome": "Activeer uw account",
    "password_reset": "nieuw wachtwoord",
    "totp_reset": "tweestapsverificatie",
    "added_to_project": "toegevoegd aan het project",
}


def unique_address() -> str:
    return f"ontvanger-{uuid.uuid4().hex[:12]}@example.nl"


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def stopped_sink() -> Iterator[SmtpSink]:
    """An SMTP sink with a reserved port that is not listening yet."""
    sink = SmtpSink()
    yield sink
    sink.stop()


def settings_for(settings: Settings, sink: SmtpSink) -> Settings:
    return settings.model_copy(
        update={"smtp_host": sink.host, "smtp_port": sink.port, "smtp_tls": False}
    )


def job_context(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings, **extra: Any
) -> dict[str, Any]:
    return {"sessionmaker": sessionmaker, "settings": settings, **extra}


@pytest.fixture
async def queue_name(test_servers: conftest.ServerUrls) -> AsyncIterator[str]:
    """A queue of this test only; its jobs are removed afterwards."""
    name = f"srm:test-mail:{uuid.uuid4().hex[:12]}"
    yield name
    redis = Redis.from_url(test_servers.redis_url)
    for job_id in await redis.zrange(name, 0, -1):
        await redis.delete(b"arq:job:" + job_id, b"arq:retry:" + job_id)
    await redis.delete(name)
    await redis.aclose()


@pytest.fixture
async def arq_pool(
    test_servers: conftest.ServerUrls, queue_name: str
) -> AsyncIterator[ArqRedis]:
    pool = await create_pool(
        arq_redis_settings(test_servers.redis_url), default_queue_name=queue_name
    )
    yield pool
    await pool.aclose()


async def add_mail(
    sessionmaker: async_sessionmaker[AsyncSession],
    to: str,
    template: str = "password_reset",
) -> uuid.UUID:
    async with sessionmaker.begin() as session:
        mail = await enqueue_mail(
            session, to=to, template=template, context=TEMPLATE_CONTEXTS[template]
        )
        return mail.id


async def load_mail(
    sessionmaker: async_sessionmaker[AsyncSession], mail_id: uuid.UUID
) -> OutboxMail:
    async with sessionmaker() as session:
        mail = await session.get(OutboxMail, mail_id)
        assert mail is not None
        return mail


async def run_burst_worker(
    database_url: str, redis_url: str, settings: Settings, queue_name: str
) -> Worker:
    """Run an arq worker on ``queue_name`` until its queue is empty."""
    worker = Worker(
        **worker_settings(database_url, redis_url, settings, queue_name=queue_name),
        burst=True,
        poll_delay=0.1,
        handle_signals=False,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return worker


# Rendering


def test_template_names_lists_every_mail() -> None:
    assert template_names() == sorted(TEMPLATE_CONTEXTS)


@pytest.mark.parametrize("template", sorted(TEMPLATE_CONTEXTS))
def test_template_renders_dutch_with_link(template: str) -> None:
    rendered = render_mail(template, TEMPLATE_CONTEXTS[template])
    link = TEMPLATE_LINKS[template]

    assert rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.text.startswith("Beste Fenna de Wit,")
    assert TEMPLATE_PHRASES[template].lower() in rendered.text.lower()
    assert "Met vriendelijke groet" in rendered.text
    assert link in rendered.text
    assert f'href="{link}"' in rendered.html
    # The link also appears as text, for mail clients that hide buttons.
    assert f">{link}</span>" in rendered.html
    assert '<html lang="nl">' in rendered.html
    assert "Beste Fenna de Wit," in rendered.html


def test_welcome_states_expiry_in_dutch() -> None:
    rendered = render_mail("welcome", TEMPLATE_CONTEXTS["welcome"])

    assert "verloopt op 3 maart 2026" in rendered.text
    assert "namens Bouwbedrijf Noorderzijl" in rendered.text


def test_password_reset_states_validity() -> None:
    rendered = render_mail("password_reset", TEMPLATE_CONTEXTS["password_reset"])

    assert "2 uur geldig" in rendered.text
    assert "2 uur geldig" in rendered.html


def test_html_part_escapes_context() -> None:
    context = {
        **TEMPLATE_CONTEXTS["added_to_project"],
        "full_name": 'Jan <b>"&"</b> Vries',
        "project_name": "<script>alert(1)</script>",
        "project_url": "https://srm.example/projecten/42?a=1&b=2",
    }
    rendered = render_mail("added_to_project", context)

    assert "Jan &lt;b&gt;&#34;&amp;&#34;&lt;/b&gt; Vries" in rendered.html
    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert 'href="https://srm.example/projecten/42?a=1&amp;b=2"' in rendered.html
    # Plain text and the subject are not HTML, so they keep the raw characters.
    assert 'Jan <b>"&"</b> Vries' in rendered.text
    assert "<script>alert(1)</script>" in rendered.subject


def test_subject_is_one_line() -> None:
    context = {**TEMPLATE_CONTEXTS["added_to_project"], "project_name": "A\nBcc: x"}
    rendered = render_mail("added_to_project", context)

    assert rendered.subject == "U bent toegevoegd aan het project A Bcc: x"


def test_unknown_template_raises() -> None:
    with pytest.raises(UnknownMailTemplateError, match=r"'newsletter'.*welcome"):
        render_mail("newsletter", {})


def test_layout_is_not_a_template() -> None:
    with pytest.raises(UnknownMailTemplateError):
        render_mail("_layout", {})


def test_missing_context_variable_raises() -> None:
    context = dict(TEMPLATE_CONTEXTS["totp_reset"])
    del context["login_url"]

    with pytest.raises(jinja2.UndefinedError, match="login_url"):
        render_mail("totp_reset", context)


def test_dutch_date_formats_date_and_datetime() -> None:
    assert format_dutch_date(date(2026, 3, 3)) == "3 maart 2026"
    # 1 July is in summer time, UTC+2 in Amsterdam.
    summer = datetime(2026, 7, 1, 12, 5, tzinfo=UTC)
    assert format_dutch_date(summer) == "1 juli 2026 om 14:05"
    winter = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    assert format_dutch_date(winter) == "1 januari 2027 om 00:30"
    with pytest.raises(ValueError, match="Naive datetime"):
        format_dutch_date(datetime(2026, 3, 3, 12, 0))


# The outbox


async def test_enqueue_mail_adds_pending_row(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    address = unique_address()
    mail_id = await add_mail(sessionmaker, f"  {address} ", "welcome")
    mail = await load_mail(sessionmaker, mail_id)

    assert mail.status == "PENDING"
    assert mail.attempts == 0
    assert mail.to_address == address
    assert mail.template == "welcome"
    assert mail.subject == "Uw account voor de Social Return Monitor staat klaar"
    assert "activeren?token=abc123" in mail.body_text
    assert "activeren?token=abc123" in mail.body_html
    assert mail.sent_at is None


async def test_enqueue_mail_rolls_back_with_caller(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        mail = await enqueue_mail(
            session,
            to=unique_address(),
            template="totp_reset",
            context=TEMPLATE_CONTEXTS["totp_reset"],
        )
        mail_id = mail.id
        await session.rollback()

    async with sessionmaker() as session:
        assert await session.get(OutboxMail, mail_id) is None


@pytest.mark.parametrize(
    "address", ["geen-adres", "a@b@c", "iemand@example.nl\r\nBcc: x@example.nl"]
)
async def test_enqueue_mail_rejects_invalid_address(
    sessionmaker: async_sessionmaker[AsyncSession], address: str
) -> None:
    async with sessionmaker() as session:
        with pytest.raises(ValueError, match="Invalid mail address"):
            await enqueue_mail(
                session,
                to=address,
                template="totp_reset",
                context=TEMPLATE_CONTEXTS["totp_reset"],
            )


async def test_enqueue_mail_rejects_unknown_template(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        with pytest.raises(UnknownMailTemplateError):
            await enqueue_mail(
                session, to=unique_address(), template="newsletter", context={}
            )


# Sending


async def test_send_mail_delivers_text_and_html(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    smtp_sink: SmtpSink,
) -> None:
    address = unique_address()
    mail_id = await add_mail(sessionmaker, address, "welcome")
    sink_settings = settings_for(settings, smtp_sink)

    result = await send_mail(job_context(sessionmaker, sink_settings), str(mail_id))

    assert result == "sent"
    messages = smtp_sink.messages_to(address)
    assert len(messages) == 1
    message = messages[0]
    assert message["To"] == address
    assert message["From"] == sink_settings.mail_sender
    assert message["Subject"] == "Uw account voor de Social Return Monitor staat klaar"
    assert message["Message-ID"] == f"<{mail_id}@srm.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message.get_content_type() == "multipart/alternative"
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    assert text_part is not None
    assert html_part is not None
    assert "Activeer uw account" in text_part.get_content()
    assert "coördinatiepunt" in text_part.get_content()
    assert (
        'href="https://srm.example/activeren?token=abc123"' in html_part.get_content()
    )

    mail = await load_mail(sessionmaker, mail_id)
    assert mail.status == "SENT"
    assert mail.sent_at is not None
    assert mail.attempts == 0
    assert mail.last_error is None
    assert message["Message-ID"] == message_id(sink_settings, mail)


async def test_send_mail_twice_sends_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    smtp_sink: SmtpSink,
) -> None:
    address = unique_address()
    mail_id = await add_mail(sessionmaker, address)
    ctx = job_context(sessionmaker, settings_for(settings, smtp_sink))

    first = await send_mail(ctx, str(mail_id))
    second = await send_mail(ctx, str(mail_id))

    assert first == "sent"
    assert second == "skipped"
    assert len(smtp_sink.messages_to(address)) == 1


async def test_send_mail_concurrent_runs_send_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    smtp_sink: SmtpSink,
) -> None:
    address = unique_address()
    mail_id = await add_mail(sessionmaker, address)
    ctx = job_context(sessionmaker, settings_for(settings, smtp_sink))

    # The slow server keeps the first run inside its transaction while the
    # second one reads the row.
    smtp_sink.data_delay_seconds = 0.3
    try:
        results = await asyncio.gather(
            send_mail(ctx, str(mail_id)), send_mail(ctx, str(mail_id))
        )
    finally:
        smtp_sink.data_delay_seconds = 0.0

    assert sorted(results) == ["sent", "skipped"]
    assert len(smtp_sink.messages_to(address)) == 1


async def test_send_mail_unknown_id_is_skipped(
    sessionmaker: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    result = await send_mail(job_context(sessionmaker, settings), str(uuid.uuid4()))

    assert result == "skipped"


async def test_send_mail_rejected_recipient_fails_at_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    smtp_sink: SmtpSink,
) -> None:
    address = unique_address()
    smtp_sink.rejected_recipients.add(address)
    mail_id = await add_mail(sessionmaker, address)
    ctx = job_context(sessionmaker, settings_for(settings, smtp_sink))

    result = await send_mail(ctx, str(mail_id))

    assert result == "failed"
    mail = await load_mail(sessionmaker, mail_id)
    assert mail.status == "FAILED"
    assert mail.attempts == 1
    assert mail.last_error is not None
    assert mail.last_error.startswith("SMTPRecipientsRefused: 550")
    assert smtp_sink.messages_to(address) == []


async def test_send_mail_smtp_down_then_flushed(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    database_url: str,
    test_servers: conftest.ServerUrls,
    stopped_sink: SmtpSink,
    queue_name: str,
    arq_pool: ArqRedis,
) -> None:
    address = unique_address()
    mail_id = await add_mail(sessionmaker, address)
    sink_settings = settings_for(settings, stopped_sink)
    ctx = job_context(
        sessionmaker, sink_settings, redis=arq_pool, queue_name=queue_name
    )

    before = datetime.now(tz=UTC)
    with pytest.raises(Retry) as retry:
        await send_mail(ctx, str(mail_id))

    assert retry.value.defer_score == retry_delay_seconds(1) * 1000
    mail = await load_mail(sessionmaker, mail_id)
    assert mail.status == "PENDING"
    assert mail.attempts == 1
    assert mail.last_error is not None
    assert mail.last_error.startswith("SMTPConnectError")
    assert mail.next_attempt_at > before
    assert mail.sent_at is None

    # Not due yet, so flush_outbox leaves it to the retry.
    await flush_outbox(ctx)
    queued = {job.job_id for job in await arq_pool.queued_jobs()}
    assert f"mail:{mail_id}" not in queued

    # The backoff has passed and the server is back.
    stopped_sink.start()
    async with sessionmaker.begin() as session:
        await session.exec(
            sa.update(OutboxMail)
            .where(OutboxMail.id == mail_id)  # type: ignore[arg-type]
            .values(next_attempt_at=datetime.now(tz=UTC) - timedelta(seconds=1))
        )
    flushed = await flush_outbox(ctx)

    assert flushed >= 1
    queued = {job.job_id for job in await arq_pool.queued_jobs()}
    assert f"mail:{mail_id}" in queued

    await run_burst_worker(
        database_url, test_servers.redis_url, sink_settings, queue_name
    )

    assert len(stopped_sink.messages_to(address)) == 1
    mail = await load_mail(sessionmaker, mail_id)
    assert mail.status == "SENT"
    assert mail.attempts == 1


async def test_send_mail_fails_after_max_attempts(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    stopped_sink: SmtpSink,
) -> None:
    mail_id = await add_mail(sessionmaker, unique_address())
    ctx = job_context(sessionmaker, settings_for(settings, stopped_sink))

    for attempt in range(1, MAX_ATTEMPTS):
        with pytest.raises(Retry) as retry:
            await send_mail(ctx, str(mail_id))
        assert retry.value.defer_score == retry_delay_seconds(attempt) * 1000

    result = await send_mail(ctx, str(mail_id))

    assert result == "failed"
    mail = await load_mail(sessionmaker, mail_id)
    assert mail.status == "FAILED"
    assert mail.attempts == MAX_ATTEMPTS
    assert mail.last_error is not None
    assert mail.last_error.startswith("SMTPConnectError")
    assert await send_mail(ctx, str(mail_id)) == "skipped"


def test_retry_delay_doubles_up_to_an_hour() -> None:
    assert retry_delay_seconds(1) == 2
    assert retry_delay_seconds(2) == 4
    assert retry_delay_seconds(11) == 2048
    assert retry_delay_seconds(12) == 3600
    assert retry_delay_seconds(40) == 3600


# Scheduling


async def test_schedule_sending_queues_each_mail_once(
    sessionmaker: async_sessionmaker[AsyncSession],
    test_servers: conftest.ServerUrls,
    queue_name: str,
    arq_pool: ArqRedis,
) -> None:
    mail_ids = [await add_mail(sessionmaker, unique_address()) for _ in range(2)]

    await schedule_sending(test_servers.redis_url, mail_ids, queue_name=queue_name)
    await schedule_sending(test_servers.redis_url, mail_ids, queue_name=queue_name)

    jobs = await arq_pool.queued_jobs()
    assert sorted(job.job_id or "" for job in jobs) == sorted(
        f"mail:{mail_id}" for mail_id in mail_ids
    )
    assert {job.function for job in jobs} == {"send_mail"}
    assert sorted(job.args for job in jobs) == sorted(
        (str(mail_id),) for mail_id in mail_ids
    )


async def test_schedule_sending_accepts_redis_client(
    sessionmaker: async_sessionmaker[AsyncSession],
    test_servers: conftest.ServerUrls,
    queue_name: str,
    arq_pool: ArqRedis,
) -> None:
    mail_id = await add_mail(sessionmaker, unique_address())
    client = Redis.from_url(test_servers.redis_url)
    try:
        await schedule_sending(client, [mail_id], queue_name=queue_name)
        # The client stays usable: schedule_sending does not close it.
        assert await client.ping()
    finally:
        await client.aclose()

    job = Job(f"mail:{mail_id}", arq_pool, _queue_name=queue_name)
    info = await job.info()
    assert info is not None
    assert info.function == "send_mail"


async def test_schedule_sending_redis_down_only_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    closed_url = f"redis://127.0.0.1:{free_port()}/0"
    mail_id = uuid.uuid4()

    with caplog.at_level(logging.WARNING, logger="srm.mail"):
        await schedule_sending(closed_url, [mail_id])

    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1
    assert "scheduling 1 of 1 mails failed" in warnings[0]
    assert str(mail_id) in warnings[0]


async def test_schedule_sending_without_queue_only_warns(
    caplog: pytest.LogCaptureFixture,
) -> None:
    mail_id = uuid.uuid4()

    with caplog.at_level(logging.WARNING, logger="srm.mail"):
        await schedule_sending(None, [mail_id])

    warnings = [record.getMessage() for record in caplog.records]
    assert len(warnings) == 1
    assert "no job queue: 1 mails" in warnings[0]
    assert str(mail_id) in warnings[0]


async def test_schedule_sending_without_ids_does_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An unreachable URL would log a warning if it were contacted.
    with caplog.at_level(logging.WARNING, logger="srm.mail"):
        await schedule_sending(f"redis://127.0.0.1:{free_port()}/0", [])

    assert caplog.records == []


# The worker


async def test_worker_sends_scheduled_mail(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    database_url: str,
    test_servers: conftest.ServerUrls,
    smtp_sink: SmtpSink,
    queue_name: str,
) -> None:
    address = unique_address()
    mail_id = await add_mail(sessionmaker, address, "added_to_project")
    sink_settings = settings_for(settings, smtp_sink)
    await schedule_sending(test_servers.redis_url, [mail_id], queue_name=queue_name)

    worker = await run_burst_worker(
        database_url, test_servers.redis_url, sink_settings, queue_name
    )

    assert worker.jobs_failed == 0
    assert worker.jobs_complete >= 1
    messages = smtp_sink.messages_to(address)
    assert len(messages) == 1
    assert messages[0]["Subject"] == (
        "U bent toegevoegd aan het project Renovatie Zuiderbad"
    )
    mail = await load_mail(sessionmaker, mail_id)
    assert mail.status == "SENT"
