"""SMTP delivery of one outbox mail."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

import aiosmtplib

from srm.config import Settings
from srm.models import OutboxMail

SMTP_TIMEOUT_SECONDS = 10
# Port 465 is SMTP submission over implicit TLS (RFC 8314). On other ports
# the plain connection is upgraded with STARTTLS.
IMPLICIT_TLS_PORT = 465
FALLBACK_MESSAGE_ID_DOMAIN = "srm.invalid"


def message_id(settings: Settings, mail: OutboxMail) -> str:
    """Return the Message-ID of a mail: the outbox id at the sender's domain.

    Every attempt to send the same outbox row uses the same Message-ID, so a
    mail server or mail client can recognise a resend as a duplicate.
    """
    sender_address = parseaddr(settings.mail_sender)[1]
    domain = sender_address.rpartition("@")[2] or FALLBACK_MESSAGE_ID_DOMAIN
    return f"<{mail.id}@{domain}>"


def build_message(settings: Settings, mail: OutboxMail) -> EmailMessage:
    """Build a multipart/alternative message with the text and the HTML part."""
    message = EmailMessage()
    message["From"] = settings.mail_sender
    message["To"] = mail.to_address
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = message_id(settings, mail)
    # Asks auto-responders not to reply to a machine-written mail (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(mail.body_text)
    message.add_alternative(mail.body_html, subtype="html")
    return message


async def deliver(settings: Settings, mail: OutboxMail) -> None:
    """Send one outbox mail to the configured SMTP server.

    With ``smtp_tls`` the connection uses implicit TLS on port 465 and
    STARTTLS on any other port. Without it the connection stays plain, even
    when the server offers STARTTLS. Raises ``aiosmtplib.SMTPException``
    (including connection errors and timeouts after ``SMTP_TIMEOUT_SECONDS``)
    when the server does not accept the mail.
    """
    implicit_tls = settings.smtp_tls and settings.smtp_port == IMPLICIT_TLS_PORT
    username = settings.smtp_username or None
    password = None
    if username is not None and settings.smtp_password is not None:
        password = settings.smtp_password.get_secret_value()
    await aiosmtplib.send(
        build_message(settings, mail),
        hostname=settings.smtp_host,
        port=settings.smtp_port,
        username=username,
        password=password,
        use_tls=implicit_tls,
        start_tls=settings.smtp_tls and not implicit_tls,
        timeout=SMTP_TIMEOUT_SECONDS,
    )
