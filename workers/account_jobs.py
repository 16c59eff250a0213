"""Jobs of the account life cycle."""

from __future__ import annotations

from typing import Any


async def process_password_reset_request(ctx: dict[str, Any], email: str) -> str:
    """Write the reset mail of a queued request; does nothing for an unknown address."""
    from srm.resolvers.accounts import process_reset_request

    await process_reset_request(
        ctx["sessionmaker"], ctx["settings"], ctx.get("redis"), email
    )
    return "done"
