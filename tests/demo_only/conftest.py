"""Fixtures for the tests in this folder: each module gets a database with only
the demo data.

They replace the fixtures of the same names in tests/conftest.py, because
the checks here depend on the exact demo data and other modules add
projects (some without entries) to the shared test database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.app import create_app
from srm.bootstrap import prepare_database
from srm.config import Settings
from srm.db import create_sessionmaker
from tests.conftest import (
    TEST_SECRET,
    ServerUrls,
    create_test_database,
    drop_test_database,
)


@pytest.fixture(scope="module")
async def database_url(test_servers: ServerUrls) -> AsyncIterator[str]:
    url = await create_test_database(test_servers.admin_database_url, "srm_test_demo")
    try:
        await prepare_database(url, demo=True, secret=TEST_SECRET.encode())
        yield url
    finally:
        await drop_test_database(test_servers.admin_database_url, url)


@pytest.fixture(scope="module")
def settings(database_url: str, test_servers: ServerUrls) -> Settings:
    return Settings(
        database_url=database_url,
        redis_url=test_servers.redis_url,
        secret_key=TEST_SECRET,  # type: ignore[arg-type]
        environment="test",
    )


@pytest.fixture(scope="module")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture(scope="module")
async def app(
    settings: Settings, database_url: str, test_servers: ServerUrls
) -> AsyncIterator[Any]:
    application = create_app(settings, database_url, test_servers.redis_url)
    async with application.router.lifespan_context(application):
        yield application
