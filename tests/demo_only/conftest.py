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

from srm.config import Settings
from srm.db import create_sessionmaker
from tests.conftest import ServerUrls, demo_database, running_app, settings_for


@pytest.fixture(scope="module")
async def database_url(test_servers: ServerUrls) -> AsyncIterator[str]:
    async with demo_database(test_servers, "srm_test_demo") as url:
        yield url


@pytest.fixture(scope="module")
def settings(database_url: str, test_servers: ServerUrls) -> Settings:
    return settings_for(database_url, test_servers)


@pytest.fixture(scope="module")
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_async_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture(scope="module")
def sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_sessionmaker(engine)


@pytest.fixture(scope="module")
async def app(settings: Settings) -> AsyncIterator[Any]:
    async with running_app(settings) as application:
        yield application
