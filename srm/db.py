"""Database engine, sessions and migrations."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def create_engine(url: str, **kwargs: object) -> AsyncEngine:
    # hide_parameters keeps input values, such as candidates' names, out of error
    # messages and so out of logs.
    return create_async_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)  # type: ignore[arg-type]


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)


def escape_like(text: str) -> str:
    """Escape LIKE wildcards, so user text matches itself; use with ``escape="\\"``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(database_url: str, revision: str = "head") -> None:
    """Upgrade the database schema; blocking, so call it outside the event loop."""
    command.upgrade(alembic_config(database_url), revision)


async def migrate_async(database_url: str) -> None:
    await asyncio.to_thread(migrate, database_url)
