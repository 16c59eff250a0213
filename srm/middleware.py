"""ASGI middleware: request ids, a request size limit, NUL rejection and the access log."""

from __future__ import annotations

import json
import logging
import time
import uuid
from typing import Any
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from srm.request_context import request_id_var

logger = logging.getLogger("srm.access")

REQUEST_ID_HEADER = "x-request-id"
MAX_REQUEST_BYTES = (
    2 * 1024 * 1024
)  # room for a 1 MB document upload with its form fields


class RequestIdMiddleware:
    """Give every request an id, taken from X-Request-ID when sane, and echo it back.

    Also writes one access log line per request, without the query string,
    which can carry a GraphQL document with a password in it.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"")
        text = incoming.decode("latin-1")
        sane = 8 <= len(text) <= 64 and text.replace("-", "").isalnum()
        request_id = text if sane else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        status = 0

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers") or [])
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if scope["type"] == "http":
                logger.info(
                    "%s %s %d %.1f ms",
                    scope["method"],
                    scope["path"],
                    status,
                    (time.perf_counter() - started) * 1000,
                )
            request_id_var.reset(token)


def _error_body(message: str) -> bytes:
    return json.dumps(
        {"errors": [{"message": message, "extensions": {"code": "BAD_REQUEST"}}]}
    ).encode()


async def _respond(send: Send, status: int, message: str) -> None:
    body = _error_body(message)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class RequestGuardMiddleware:
    """Reject oversized request bodies and text with NUL characters before GraphQL runs.

    PostgreSQL cannot store NUL in text, so such input would otherwise fail
    deep inside a transaction.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_REQUEST_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = unquote_to_bytes(scope.get("query_string", b"")).lower()
        if b"\x00" in query or b"\\u0000" in query:
            await _respond(
                send, 400, "The request contains a NUL character; remove it."
            )
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await _respond(
                    send,
                    413,
                    f"The request is larger than {self.max_bytes} bytes; send less.",
                )
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if b"\x00" in body or b"\\u0000" in body.lower():
            await _respond(
                send, 400, "The request contains a NUL character; remove it."
            )
            return
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)
