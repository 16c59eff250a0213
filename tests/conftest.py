"""Shared fixtures: a database of its own per test run, Redis, the app and logins.

With SRM_TEST_DATABASE_URL and SRM_TEST_REDIS_URL set, the tests use those
servers; otherwise they start the embedded PostgreSQL and Redis in a
temporary folder. The database is created for the run and dropped after it.
"""

from __future__ import annotations

import os
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import httpx
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.app import create_app
from srm.bootstrap import prepare_database
from srm.config import Settings
from srm.db import create_sessionmaker, migrate_async
from srm.demo import demo_email
from srm.models import Organisation, Session, User
from srm.services.auth import token_hash

TEST_SECRET = "test-secret-key-not-for-production"

pytest_plugins = ["tests.project_fixtures"]


@dataclass(frozen=True)
class ServerUrls:
    admin_database_url: str
    redis_url: str


@pytest.fixture(scope="session")
def test_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerUrls]:
    database_url = os.environ.get("SRM_TEST_DATABASE_URL") or None
    redis_url = os.environ.get("SRM_TEST_REDIS_URL") or None
    embedded = None
    if database_url is None or redis_url is None:
        from srm.embedded import EmbeddedServers

        embedded = EmbeddedServers.start(
            Path(tmp_path_factory.mktemp("embedded")),
            with_postgres=database_url is None,
            with_redis=redis_url is None,
        )
        database_url = database_url or embedded.admin_url
        redis_url = redis_url or embedded.redis_url
    # A random database number keeps concurrent runs on one Redis apart; the tests
    # delete only keys under srm: there.
    redis_url = str(make_url_redis(redis_url, secrets.randbelow(15) + 1))
    try:
        yield ServerUrls(admin_database_url=database_url, redis_url=redis_url)
    finally:
        if embedded is not None:
            embedded.stop()


def make_url_redis(url: str, database: int) -> str:
    """Return a Redis URL that selects ``database``, for redis:// and unix:// URLs."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        query = [(k, v) for k, v in parse_qsl(parts.query) if k != "db"] + [
            ("db", str(database))
        ]
        return urlunsplit(parts._replace(query=urlencode(query)))
    return urlunsplit(parts._replace(path=f"/{database}"))


async def create_test_database(admin_url: str, prefix: str) -> str:
    """Create an empty database with a unique name and return its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_test_database(admin_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(
                sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
    finally:
        await engine.dispose()


@asynccontextmanager
async def migrated_database(servers: ServerUrls, prefix: str) -> AsyncIterator[str]:
    """Create a database with the current schema and no data, yield its URL, drop it."""
    url = await create_test_database(servers.admin_database_url, prefix)
    try:
        await migrate_async(url)
        yield url
    finally:
        await drop_test_database(servers.admin_database_url, url)


@asynccontextmanager
async def demo_database(servers: ServerUrls, prefix: str) -> AsyncIterator[str]:
    """Create a database with reference data, policies and demo data; drop it after."""
    url = await create_test_database(servers.admin_database_url, prefix)
    try:
        await prepare_database(url, demo=True, secret=TEST_SECRET.encode())
        yield url
    finally:
        await drop_test_database(servers.admin_database_url, url)


def settings_for(database_url: str, servers: ServerUrls) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=servers.redis_url,
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        environment="test",
    )


@asynccontextmanager
async def running_app(settings: Settings) -> AsyncIterator[Any]:
    """Yield the ASGI app of ``settings`` with its lifespan (startup and shutdown) running."""
    assert settings.database_url is not None
    assert settings.redis_url is not None
    application = create_app(settings, settings.database_url, settings.redis_url)
    async with application.router.lifespan_context(application):
        yield application


# The fixtures below are session-scoped; tests/demo_only/conftest.py makes
# module-scoped ones of the same names from the same helpers.


@pytest.fixture(scope="session")
async def database_url(test_servers: ServerUrls) -> AsyncIterator[str]:
    async with demo_database(test_servers, "srm_test") as url:
        yield url


@pytest.fixture(scope="session")
def settings(database_url: str, test_servers: ServerUrls) -> Settings:
    return settings_for(database_url, test_servers)


@pytest.fixture(scope="session")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="session")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[Any]:
    async with running_app(settings) as application:
        yield application


@pytest.fixture(autouse=True)
async def clean_rate_limits(test_servers: ServerUrls) -> AsyncIterator[None]:
    """Clear login counters and challenges, so one test's failures do not lock the next."""
    from redis.asyncio import Redis

    redis = Redis.from_url(test_servers.redis_url)
    async for key in redis.scan_iter(match="srm:login-*"):
        await redis.delete(key)
    await redis.aclose()
    yield


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver"
    ) as http:
        yield http


class GraphQLClient:
    """Posts GraphQL documents as one user, with that user's bearer token."""

    def __init__(self, http: httpx.AsyncClient, token: str | None) -> None:
        self.http = http
        self.token = token

    async def post(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = await self.http.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers=headers,
        )
        assert response.status_code in (200, 400), response.text
        return response.json()  # type: ignore[no-any-return]

    async def data(
        self, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Run a document that must succeed and return its data."""
        body = await self.post(query, variables)
        assert "errors" not in body, body
        return body["data"]  # type: ignore[no-any-return]


async def open_session(
    sessionmaker: async_sessionmaker[AsyncSession], email: str
) -> str:
    """Open a session for a user directly in the database and return its token.

    Tests that are not about login use this, because a real login spends a
    TOTP time step and the same step cannot be used twice.
    """
    token = secrets.token_urlsafe(32)
    now = datetime.now(tz=UTC)
    async with sessionmaker.begin() as session:
        user = (
            await session.exec(sa.select(User).where(User.email == email))
        ).scalar_one()  # type: ignore[call-overload]
        session.add(
            Session(
                user_id=user.id,
                token_hash=token_hash(token),
                created_at=now,
                last_seen_at=now,
                expires_at=now + timedelta(hours=1),
            )
        )
    return token


# Demo users by role, from srm.demo.ORGANISATIONS.
CONTRACTOR_EMAIL = demo_email("Anton Aannemer")
OTHER_CONTRACTOR_EMAIL = demo_email("Gerrit Groen")
AUTHORITY_EMAIL = demo_email("Olga Opdrachtgever")
INTERMEDIARY_EMAIL = demo_email("Ilse Intermediair")
ACCOUNT_MANAGER_EMAIL = demo_email("Aukje Accountmanager")
COORDINATOR_EMAIL = demo_email("Coby Coördinator")


@pytest.fixture
def as_user(
    client: httpx.AsyncClient, sessionmaker: async_sessionmaker[AsyncSession]
) -> Any:
    async def make(email: str) -> GraphQLClient:
        return GraphQLClient(client, await open_session(sessionmaker, email))

    return make


@pytest.fixture
def anonymous(client: httpx.AsyncClient) -> GraphQLClient:
    return GraphQLClient(client, None)


async def organisation_of(
    sessionmaker: async_sessionmaker[AsyncSession], email: str
) -> Organisation:
    async with sessionmaker() as session:
        return (
            await session.exec(  # type: ignore[call-overload]
                sa.select(Organisation)
                .join(User, User.organisation_id == Organisation.id)
                .where(User.email == email)
            )
        ).scalar_one()
