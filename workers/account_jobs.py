"""Jobs of the account life cycle."""

from __future__ import annotations

from typing import Any

RESET_REQUEST_PREFIX = "srm:reset-request:"
RESET_REQUEST_SECONDS = 3600


async def process_password_reset_request(ctx: dict[str, Any], request_key: str) -> str:
    """Write the reset mail of a queued request; does nothing for an unknown address.

    The job carries only a random key: arq logs job arguments, and the address
    field may hold anything a user typed, a password included. The address
    itself waits in Redis under the key and is deleted on reading.
    """
    from srm.resolvers.accounts import process_reset_request

    value = await ctx["redis"].getdel(RESET_REQUEST_PREFIX + request_key)
    if value is None:
        return "expired"
    email = value.decode() if isinstance(value, bytes) else value
    await process_reset_request(
        ctx["sessionmaker"], ctx["settings"], ctx.get("redis"), email
    )
    return "done"
