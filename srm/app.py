"""The ASGI application: GraphQL on /graphql, health and readiness endpoints."""

from __future__ import annotations

import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL

from srm.config import Settings
from srm.context import Context, create_loaders
from srm.db import create_engine, create_sessionmaker
from srm.request_context import request_id_var
from srm.schema.schema import schema
from srm.services.auth import authenticate

logger = logging.getLogger(__name__)

REQUEST_ID_HEADER = "x-request-id"


@dataclass
class Resources:
    """Connections shared by all requests of one process."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis


class MonitorGraphQL(GraphQL):
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
        token = _bearer_token(request)
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
        )


def _bearer_token(request: Request | WebSocket) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


class RequestIdMiddleware:
    """Give every request an id, taken from X-Request-ID when sane, and echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"")
        text = incoming.decode("latin-1")
        request_id = (
            text
            if 8 <= len(text) <= 64 and text.replace("-", "").isalnum()
            else uuid.uuid4().hex
        )
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            request_id_var.reset(token)


def create_app(settings: Settings, database_url: str, redis_url: str) -> Starlette:
    """Build the application for a database and Redis that are already running."""
    engine = create_engine(database_url)
    resources = Resources(
        settings=settings,
        engine=engine,
        sessionmaker=create_sessionmaker(engine),
        redis=Redis.from_url(redis_url),
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
        logger.info("API started")
        yield
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
    app.add_middleware(RequestIdMiddleware)
    return app
