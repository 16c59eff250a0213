"""Migrations: they match the models and can be undone."""

from __future__ import annotations

import asyncio

from alembic import command

from srm.db import alembic_config, migrate
from tests.conftest import ServerUrls, create_test_database, drop_test_database


async def test_migrations_match_models_and_downgrade(test_servers: ServerUrls) -> None:
    url = await create_test_database(test_servers.admin_database_url, "srm_migrations")
    try:
        await asyncio.to_thread(migrate, url)
        # Raises when autogenerate would find a difference between models and schema.
        await asyncio.to_thread(command.check, alembic_config(url))
        await asyncio.to_thread(command.downgrade, alembic_config(url), "base")
        await asyncio.to_thread(migrate, url)
    finally:
        await drop_test_database(test_servers.admin_database_url, url)
