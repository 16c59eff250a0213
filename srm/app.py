"""The ASGI application: GraphQL on /graphql, health and readiness endpoints."""

from __future__ import annotations

import hmac
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from arq import create_pool
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from srm.config import Settings
from srm.context import Context, create_loaders
from srm.db import create_engine, create_sessionmaker
from srm.middleware import RequestGuardMiddleware, RequestIdMiddleware
from srm.redis import arq_redis_settings
from srm.resolvers.accounts import SESSION_COOKIE, csrf_token_for
from srm.schema.schema import schema
from srm.services.auth import authenticate

logger = logging.getLogger(__name__)


@dataclass
class Resources:
    """Connections shared by all requests of one process."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    redis_url: str
    queue: Any = None


class MonitorGraphQL(GraphQL[Context, None]):
    """Strawberry's ASGI app with the monitor's per-request context."""

    def __init__(self, resources: Resources) -> None:
        super().__init__(
            schema,
            graphql_ide="graphiql" if resources.settings.graphiql_enabled else None,
            allow_queries_via_get=True,
        )
        self.resources = resources

    async def get_context(self, request: Request | WebSocket, response: Any) -> Context:
        resources = self.resources
        token = _bearer_token(request) or _cookie_token(request, resources.settings)
        auth = None
        if token:
            auth = await authenticate(
                resources.sessionmaker,
                token,
                idle_minutes=resources.settings.session_idle_minutes,
            )
        return Context(
            settings=resources.settings,
            sessionmaker=resources.sessionmaker,
            redis=resources.redis,
            request_id=request.scope.get("state", {}).get("request_id")
            or uuid.uuid4().hex,
            client_address=request.client.host if request.client else "unknown",
            auth=auth,
            loaders=create_loaders(resources.sessionmaker),
            queue=resources.queue,
            response=response,
        )


def _bearer_token(request: Request | WebSocket) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def _cookie_token(request: Request | WebSocket, settings: Settings) -> str | None:
    """Return the session cookie's token when the request proves it is no cross-site request.

    Browsers send the value of the readable ``srm_csrf`` cookie in the
    ``X-CSRF-Token`` header. That value is a keyed hash of the session token,
    so another site can neither read nor forge it, and SameSite=Strict keeps
    the cookies off cross-site requests as well.
    """
    token = request.cookies.get(SESSION_COOKIE)
    csrf_header = request.headers.get("x-csrf-token")
    if not token or not csrf_header:
        return None
    expected = csrf_token_for(settings, token)
    if not hmac.compare_digest(expected.encode(), csrf_header.encode()):
        return None
    return token


def create_app(settings: Settings, database_url: str, redis_url: str) -> Starlette:
    """Build the application for a database and Redis that are already running."""
    engine = create_engine(database_url)
    resources = Resources(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        redis=Redis.from_url(redis_url),
        redis_url=redis_url,
    )

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def ready(request: Request) -> Response:
        problems = []
        try:
            async with resources.engine.connect() as connection:
                await connection.execute(sa.text("SELECT 1"))
        except Exception as error:
            logger.warning("readiness: database unavailable: %s", type(error).__name__)
            problems.append("database")
        try:
            await resources.redis.ping()
        except Exception as error:
            logger.warning("readiness: redis unavailable: %s", type(error).__name__)
            problems.append("redis")
        if problems:
            return JSONResponse(
                {"status": "unavailable", "failing": problems}, status_code=503
            )
        return JSONResponse({"status": "ready"})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        try:
            resources.queue = await create_pool(arq_redis_settings(redis_url))
        except (OSError, ConnectionError) as error:
            # Mails stay in the outbox; the worker's periodic job sends them later.
            logger.warning("job queue unavailable at start: %s", type(error).__name__)
        logger.info("API started")
        yield
        if resources.queue is not None:
            await resources.queue.aclose()
        await resources.redis.aclose()
        await resources.engine.dispose()
        logger.info("API stopped")

    graphql_app = MonitorGraphQL(resources)
    app = Starlette(
        routes=[
            Route("/graphql", graphql_app, methods=["GET", "POST"]),
            Route("/health", health),
            Route("/ready", ready),
        ],
        lifespan=lifespan,
    )
    app.state.resources = resources
    app.add_middleware(RequestGuardMiddleware)
    app.add_middleware(RequestIdMiddleware)
    return app
