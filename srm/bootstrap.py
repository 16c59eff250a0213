"""Preparing a database: schema, reference data, policies and optionally demo data."""

from __future__ import annotations

import logging

from srm.db import create_engine, create_sessionmaker, migrate_async
from srm.demo import load_demo_data
from srm.services.policies import load_bundled_policies
from srm.services.reference import load_bundled_reference_data

logger = logging.getLogger(__name__)


async def prepare_database(database_url: str, *, demo: bool, secret: bytes) -> None:
    """Migrate, load the bundled reference data and policies, and the demo data if asked.

    Each step is idempotent, so this runs at every start of the embedded default.
    """
    await migrate_async(database_url)
    engine = create_engine(database_url)
    try:
        sessionmaker = create_sessionmaker(engine)
        await load_bundled_reference_data(sessionmaker)
        await load_bundled_policies(sessionmaker)
        if demo:
            await load_demo_data(sessionmaker, secret=secret)
    finally:
        await engine.dispose()
