"""arq jobs. Each is a plain ``async def job(ctx, ...)`` and safe to run twice."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa


async def ping(ctx: dict[str, Any]) -> str:
    """Check that the worker reaches the database; used by tests and health checks."""
    async with ctx["sessionmaker"]() as session:
        await session.exec(sa.text("SELECT 1"))
    return "pong"
