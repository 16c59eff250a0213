"""arq worker settings: the job queue of the monitor."""

from __future__ import annotations

import logging
from typing import Any

from arq.worker import run_worker as arq_run_worker

from srm.db import create_engine, create_sessionmaker
from srm.redis import arq_redis_settings
from workers.jobs import ping

logger = logging.getLogger(__name__)

QUEUE_NAME = "srm:queue"


async def startup(ctx: dict[str, Any]) -> None:
    ctx["engine"] = create_engine(ctx["database_url"])
    ctx["sessionmaker"] = create_sessionmaker(ctx["engine"])
    logger.info("worker started")


async def shutdown(ctx: dict[str, Any]) -> None:
    await ctx["engine"].dispose()
    logger.info("worker stopped")


def worker_settings(database_url: str, redis_url: str) -> dict[str, Any]:
    """Return arq worker settings for a database and Redis."""

    async def on_startup(ctx: dict[str, Any]) -> None:
        ctx["database_url"] = database_url
        await startup(ctx)

    return {
        "functions": [ping],
        "redis_settings": arq_redis_settings(redis_url),
        "queue_name": QUEUE_NAME,
        "on_startup": on_startup,
        "on_shutdown": shutdown,
        "max_tries": 5,
    }


def run_worker(database_url: str, redis_url: str) -> None:
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings_class = type("WorkerSettings", (), {})
    arq_run_worker(settings_class, **worker_settings(database_url, redis_url))
