"""arq worker settings: the job queue of the monitor."""

from __future__ import annotations

import logging
from typing import Any

from arq.cron import cron
from arq.worker import func
from arq.worker import run_worker as arq_run_worker

from srm.config import Settings, get_settings
from srm.db import create_engine, create_sessionmaker
from srm.redis import QUEUE_NAME, arq_redis_settings
from workers.account_jobs import process_password_reset_request
from workers.jobs import MAX_ATTEMPTS, flush_outbox, ping, send_mail

logger = logging.getLogger(__name__)

__all__ = ["QUEUE_NAME", "run_worker", "worker_settings"]

# flush_outbox runs once a minute, at this second of the minute.
FLUSH_OUTBOX_SECOND = 17


async def startup(ctx: dict[str, Any]) -> None:
    ctx["engine"] = create_engine(ctx["database_url"])
    ctx["sessionmaker"] = create_sessionmaker(ctx["engine"])
    logger.info("worker started on queue %s", ctx["queue_name"])


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["engine"].dispose()
    logger.info("worker stopped")


def worker_settings(
    database_url: str,
    redis_url: str,
    settings: Settings | None = None,
    *,
    queue_name: str = QUEUE_NAME,
) -> dict[str, Any]:
    """Return arq worker settings for a database and Redis.

    ``settings`` provides the SMTP server and sender for mail jobs. It
    defaults to the settings from the environment.
    """
    worker_config = settings if settings is not None else get_settings()

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["database_url"] = database_url
        ctx["settings"] = worker_config
        ctx["queue_name"] = queue_name
        await startup(ctx)

    return {
        "functions": [
            ping,
            # send_mail counts its own attempts and stops raising Retry after
            # MAX_ATTEMPTS. keep_result=0 stores no result, because a stored
            # result of job "mail:<id>" would block scheduling that mail again.
            # NOTE: when arq itself gives up (max_tries exceeded, e.g. after
            # repeated cancellations) it stores a result for the worker's
            # keep_result of 1 hour, so flush_outbox cannot reschedule that
            # mail until it expires.
            func(send_mail, max_tries=MAX_ATTEMPTS, keep_result=0),
            # The address is personal data: keep no result that repeats it.
            func(process_password_reset_request, keep_result=0),
        ],
        "cron_jobs": [
            cron(
                flush_outbox,
                second=FLUSH_OUTBOX_SECOND,
                unique=True,
                run_at_startup=True,
            )
        ],
        "redis_settings": arq_redis_settings(redis_url),
        "queue_name": queue_name,
        "on_startup": on_startup,
        "on_shutdown": shutdown,
        "max_tries": 5,
    }


def run_worker(
    database_url: str, redis_url: str, settings: Settings | None = None
) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings_class = type("WorkerSettings", (), {})
    arq_run_worker(settings_class, **worker_settings(database_url, redis_url, settings))
