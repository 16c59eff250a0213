"""A real SMTP server on 127.0.0.1 that keeps the messages it receives.

``SmtpSink`` runs an aiosmtpd ``Controller`` in a thread. It keeps its port
across ``stop()`` and ``start()``, so a test can point the sender at a server
that is down and bring it up later.
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


class _StoringHandler:
    """aiosmtpd handler: rejects listed recipients, stores every message."""

    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(
        self,
        server: Any,
        session: Any,
        envelope: Any,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address.lower() in self.sink.rejected_recipients:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.sink.data_delay_seconds:
            await asyncio.sleep(self.sink.data_delay_seconds)
        message = email.message_from_bytes(
            envelope.original_content, policy=email.policy.default
        )
        assert isinstance(message, EmailMessage)
        self.sink.envelope_recipients.append(list(envelope.rcpt_tos))
        self.sink.messages.append(message)
        return "250 Message accepted"


class SmtpSink:
    """An SMTP server for tests; ``messages`` contains what it received, in order."""

    def __init__(self) -> None:
        self.host = HOST
        self.port = free_port()
        self.messages: list[EmailMessage] = []
        self.envelope_recipients: list[list[str]] = []
        # Lower-case addresses that RCPT TO rejects with 550.
        self.rejected_recipients: set[str] = set()
        # Wait before accepting DATA, so a test can overlap two senders.
        self.data_delay_seconds = 0.0
        self._controller: Controller | None = None

    @property
    def running(self) -> bool:
        return self._controller is not None

    def start(self) -> None:
        """Start listening on ``port``. A stopped sink can be started again."""
        if self._controller is not None:
            raise RuntimeError(f"SMTP sink on port {self.port} is already running")
        # aiosmtpd closes the controller's event loop on stop, so every start
        # needs a new Controller.
        controller = Controller(
            _StoringHandler(self),
            hostname=self.host,
            port=self.port,
            server_hostname="smtp-sink.test",
            ready_timeout=5.0,
        )
        controller.start()
        self._controller = controller

    def stop(self) -> None:
        """Stop listening, so connections to ``port`` are refused until ``start()``."""
        if self._controller is None:
            return
        self._controller.stop()
        self._controller = None

    def messages_to(self, address: str) -> list[EmailMessage]:
        """Return the received messages with ``address`` in the To header."""
        return [
            message
            for message in self.messages
            if address.lower() in str(message["To"]).lower()
        ]
