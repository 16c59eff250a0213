"""Account life cycle: invitation, activation, authenticator setup, resets.

Each function runs in the caller's transaction and returns the outbox mail
ids to schedule after the commit. Tokens of links are single-use. The
account_token table keeps only their SHA-256 hashes. The token itself is in
the outbox mail until the worker sends it and clears the body.
"""

from __future__ import annotations

import asyncio
import logging
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import segno
import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession
from zxcvbn import zxcvbn
from zxcvbn.frequency_lists import FREQUENCY_LISTS

from srm.config import Settings
from srm.domain.access import Viewer
from srm.domain.enums import ROLE_OF_KIND, Role
from srm.domain.errors import NotFound, ProblemCollector, UserErrorCode
from srm.domain.inputs import check_person_name
from srm.mail import enqueue_mail
from srm.models import AccountToken, Organisation, Project, User
from srm.services.audit import AuditAction, record
from srm.services.auth import (
    hash_password_async,
    matching_time_step,
    new_session,
    password_matches,
    revoke_all_sessions,
    token_hash,
)

logger = logging.getLogger(__name__)

ACTIVATION_VALID = timedelta(days=7)
RESET_VALID = timedelta(hours=2)
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 256
TOTP_ISSUER = "Social Return Monitor"
ACTIVATION = "ACTIVATION"
PASSWORD_RESET = "PASSWORD_RESET"

# The 30,000 most used passwords of the zxcvbn data set (zxcvbn 4.5.0).
COMMON_PASSWORDS = frozenset(FREQUENCY_LISTS["passwords"])
# ASCII addresses only: quoted local parts, comments and international
# domains are valid in mail standards but are rejected here, so that every
# stored address reaches exactly one mailbox.
# Dutch words that zxcvbn's English dictionaries miss and people build passwords on.
COMMON_DUTCH_WORDS = [
    "welkom",
    "wachtwoord",
    "geheim",
    "voorjaar",
    "zomer",
    "najaar",
    "herfst",
    "winter",
    "lente",
    "maandag",
    "vrijdag",
    "januari",
    "december",
    "groningen",
    "friesland",
    "fryslan",
    "drenthe",
    "assen",
    "leeuwarden",
    "emmen",
    "socialreturn",
    "gemeente",
    "bouwbedrijf",
    "hallo",
    "liefde",
    "voetbal",
    "ajax",
    "feyenoord",
]
_EMAIL = re.compile(r"[a-z0-9._%+-]+@[a-z0-9-]+(\.[a-z0-9-]+)*\.[a-z]{2,}")


def check_password(
    problems: ProblemCollector, password: str, email: str, field: str = "password"
) -> None:
    """Add a problem when the password is too short, common or contains the address."""
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.add(
            field,
            UserErrorCode.PASSWORD_TOO_SHORT,
            f"The password must have at least {MIN_PASSWORD_LENGTH} characters.",
        )
        return
    if len(password) > MAX_PASSWORD_LENGTH:
        problems.add(
            field,
            UserErrorCode.TOO_LONG,
            f"The password may have at most {MAX_PASSWORD_LENGTH} characters.",
        )
        return
    lowered = password.lower()
    # zxcvbn also recognises patterns such as repeats, dates and keyboard rows.
    # Its top score of 4 means it estimates at least 10^10 guesses. Its
    # dictionaries are English, hence the Dutch words.
    hints = [email, *re.split(r"[@.]", email), *COMMON_DUTCH_WORDS]
    if lowered in COMMON_PASSWORDS or zxcvbn(password, user_inputs=hints)["score"] < 4:
        problems.add(
            field,
            UserErrorCode.PASSWORD_TOO_COMMON,
            "This password is common or easy to guess; choose a longer or less predictable one.",
        )
    local_part = email.split("@", 1)[0].lower()
    if email.lower() in lowered or (len(local_part) >= 3 and local_part in lowered):
        problems.add(
            field,
            UserErrorCode.PASSWORD_CONTAINS_EMAIL,
            "The password must not contain your email address.",
        )


def link(settings: Settings, path: str, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}/{path}?token={token}"


async def _new_token(
    session: AsyncSession, user_id: uuid.UUID, purpose: str, valid: timedelta
) -> tuple[str, datetime]:
    """Revoke the user's open tokens of this purpose and issue a new one."""
    now = datetime.now(tz=UTC)
    await session.exec(
        sa.update(AccountToken)
        .where(
            col(AccountToken.user_id) == user_id,
            col(AccountToken.purpose) == purpose,
            col(AccountToken.used_at).is_(None),
        )
        .values(used_at=now)
    )
    token = secrets.token_urlsafe(32)
    expires = now + valid
    session.add(
        AccountToken(
            user_id=user_id,
            purpose=purpose,
            token_hash=token_hash(token),
            created_at=now,
            expires_at=expires,
        )
    )
    return token, expires


async def _revoke_open_tokens(session: AsyncSession, user_id: uuid.UUID) -> None:
    """Spend every open activation and reset link of a user whose password changed."""
    await session.exec(
        sa.update(AccountToken)
        .where(
            col(AccountToken.user_id) == user_id, col(AccountToken.used_at).is_(None)
        )
        .values(used_at=datetime.now(tz=UTC))
    )


async def _store_password(session: AsyncSession, user: User, password: str) -> None:
    """Store a new password hash, end the user's sessions and spend its open links."""
    user.password_hash = await hash_password_async(password)
    session.add(user)
    await revoke_all_sessions(session, user.id)
    await _revoke_open_tokens(session, user.id)
    record(
        session,
        action=AuditAction.UPDATE,
        object_type="User",
        object_id=user.id,
        user_id=user.id,
        organisation_id=user.organisation_id,
        fields=["password"],
    )


async def _use_token(session: AsyncSession, token: str, purpose: str) -> User | None:
    """Return the user of a valid token and mark it used; None when unknown, used or expired."""
    now = datetime.now(tz=UTC)
    row = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(AccountToken)
            .where(
                col(AccountToken.token_hash) == token_hash(token),
                col(AccountToken.purpose) == purpose,
            )
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None or row.used_at is not None or row.expires_at <= now:
        return None
    row.used_at = now
    session.add(row)
    user = await session.get(User, row.user_id, with_for_update=True)
    if user is None or not user.active:
        return None
    return user


@dataclass
class Invitation:
    user: User
    mail_ids: list[uuid.UUID]


async def coordinator_may_administer(
    session: AsyncSession, viewer: Viewer, organisation: Organisation
) -> bool:
    """Return whether a coordinator administers an organisation: of its region or active in it."""
    if viewer.region_id is None:
        return False
    if organisation.region_id is not None:
        return organisation.region_id == viewer.region_id
    party = sa.or_(
        col(Project.contractor_id) == organisation.id,
        col(Project.intermediary_id) == organisation.id,
        col(Project.contracting_authority_id) == organisation.id,
    )
    found = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(col(Project.id))
            .where(party, col(Project.region_id) == viewer.region_id)
            .limit(1)
        )
    ).first()
    # An organisation without projects yet has no region: any coordinator may add its first account.
    any_project = (
        await session.exec(sa.select(Project.id).where(party).limit(1))  # type: ignore[call-overload]
    ).first()
    return found is not None or any_project is None


async def coordinator_may_invite(
    session: AsyncSession, viewer: Viewer, organisation: Organisation
) -> bool:
    """Return whether a coordinator may add an account to another organisation.

    Only an organisation's first account: every later account is invited by a
    colleague. Otherwise a coordinator could give itself an account manager's
    or contractor's account and read candidates unmasked.
    """
    has_accounts = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(col(User.id))
            .where(col(User.organisation_id) == organisation.id)
            .limit(1)
        )
    ).first()
    return has_accounts is None


async def invite_user(
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    *,
    email: str,
    full_name: str,
    organisation_id: uuid.UUID | None,
) -> Invitation:
    """Create an account without password and mail its activation link.

    Users invite colleagues of their own organisation. A coordinator may also
    create the first account of any organisation (see
    ``coordinator_may_invite``).
    """
    problems = ProblemCollector()
    address = email.strip().lower()
    if not _EMAIL.fullmatch(address) or len(address) > 254:
        problems.add(
            "email",
            UserErrorCode.INVALID,
            "email is not a valid email address; use letters, digits and . _ % + - "
            "before the @ and a domain name after it.",
        )
    name = check_person_name(problems, "fullName", full_name, max_length=200)
    target_id = organisation_id or viewer.organisation_id
    organisation = await session.get(Organisation, target_id)
    if organisation is None:
        raise NotFound
    if target_id != viewer.organisation_id and not (
        viewer.role == Role.COORDINATOR
        and await coordinator_may_invite(session, viewer, organisation)
    ):
        raise NotFound
    # Checked last, so a probe for an existing address cannot stop at an
    # error in another field: with valid input a new address gets an account.
    if not problems.problems:
        existing = (
            await session.exec(  # type: ignore[call-overload]
                sa.select(col(User.id)).where(col(User.email) == address)
            )
        ).first()
        if existing is not None:
            problems.add(
                "email",
                UserErrorCode.EMAIL_TAKEN,
                "An account with this email address exists already.",
            )
    problems.raise_if_any()
    assert name is not None
    user = User(
        email=address,
        full_name=name,
        organisation_id=organisation.id,
        role=ROLE_OF_KIND[organisation.kind],
    )
    session.add(user)
    await session.flush()
    token, expires = await _new_token(session, user.id, ACTIVATION, ACTIVATION_VALID)
    mail = await enqueue_mail(
        session,
        to=address,
        template="welcome",
        context={
            "full_name": name,
            "organisation": organisation.name,
            "activation_url": link(settings, "activeren", token),
            "expires_on": expires,
        },
    )
    record(
        session,
        action=AuditAction.CREATE,
        object_type="User",
        object_id=user.id,
        viewer=viewer,
        region_id=organisation.region_id or viewer.region_id,
        fields=["email", "full_name", "organisation_id"],
    )
    logger.info("user %s invited by user %s", user.id, viewer.user_id)
    return Invitation(user=user, mail_ids=[mail.id])


async def activate_account(session: AsyncSession, *, token: str, password: str) -> User:
    """Set the first password of an invited account; the token works once, for 7 days."""
    problems = ProblemCollector()
    user = await _use_token(session, token, ACTIVATION)
    # A user with a password was set up another way (a reset link), so the
    # invitation is spent.
    if user is None or user.password_hash is not None:
        problems.add(
            "token",
            UserErrorCode.TOKEN_INVALID,
            "The activation link is unknown, used or expired; ask for a new invitation.",
        )
        problems.raise_if_any()
    assert user is not None
    check_password(problems, password, user.email)
    problems.raise_if_any()
    user.totp_secret = None
    user.totp_confirmed = False
    await _store_password(session, user, password)
    return user


@dataclass
class TotpSetup:
    secret: str
    otpauth_uri: str
    qr_code_svg: str


def _qr_svg(uri: str) -> str:
    return segno.make(uri, error="m").svg_inline(
        scale=4, title="QR-code voor de authenticator-app"
    )


async def start_totp_setup(session: AsyncSession, user_id: uuid.UUID) -> TotpSetup:
    """Give an account without a confirmed authenticator a new secret."""
    user = await session.get(User, user_id, with_for_update=True)
    if user is None or not user.active or user.totp_confirmed:
        raise NotFound
    secret = pyotp.random_base32()
    user.totp_secret = secret
    user.totp_last_step = None
    session.add(user)
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)
    svg = await asyncio.to_thread(_qr_svg, uri)
    return TotpSetup(secret=secret, otpauth_uri=uri, qr_code_svg=svg)


async def confirm_totp_setup(
    session: AsyncSession, user_id: uuid.UUID, code: str, max_hours: int
) -> str:
    """Confirm the authenticator with a code from it and open a session; return the token."""
    problems = ProblemCollector()
    user = await session.get(User, user_id, with_for_update=True)
    if user is None or not user.active or user.totp_confirmed:
        raise NotFound
    now = datetime.now(tz=UTC)
    step = matching_time_step(user.totp_secret, code, now) if user.totp_secret else None
    if step is None:
        problems.add(
            "code",
            UserErrorCode.INVALID_CODE,
            "The code does not match; start the setup and scan the QR code again if it keeps failing.",
        )
        problems.raise_if_any()
    user.totp_confirmed = True
    user.totp_last_step = step
    session.add(user)
    token, opened = new_session(user.id, now, max_hours)
    session.add(opened)
    record(
        session,
        action=AuditAction.UPDATE,
        object_type="User",
        object_id=user.id,
        user_id=user.id,
        organisation_id=user.organisation_id,
        fields=["totp_secret"],
    )
    return token


async def request_password_reset(
    session: AsyncSession, settings: Settings, *, email: str
) -> list[uuid.UUID]:
    """Mail a reset link when an active account has this address; return the mail ids."""
    address = email.strip().lower()
    user = (
        await session.exec(sa.select(User).where(col(User.email) == address))  # type: ignore[call-overload]
    ).scalar_one_or_none()
    if user is None or not user.active:
        return []
    token, _ = await _new_token(session, user.id, PASSWORD_RESET, RESET_VALID)
    mail = await enqueue_mail(
        session,
        to=user.email,
        template="password_reset",
        context={
            "full_name": user.full_name,
            "reset_url": link(settings, "wachtwoord-herstellen", token),
            "valid_hours": int(RESET_VALID.total_seconds() // 3600),
        },
    )
    return [mail.id]


async def reset_password(session: AsyncSession, *, token: str, password: str) -> User:
    """Set a new password with a reset token and end every session of the user."""
    problems = ProblemCollector()
    user = await _use_token(session, token, PASSWORD_RESET)
    if user is None:
        problems.add(
            "token",
            UserErrorCode.TOKEN_INVALID,
            "The reset link is unknown, used or expired; request a new one.",
        )
        problems.raise_if_any()
    assert user is not None
    check_password(problems, password, user.email)
    problems.raise_if_any()
    await _store_password(session, user, password)
    return user


async def change_password(
    session: AsyncSession, viewer: Viewer, *, current_password: str, new_password: str
) -> None:
    """Change the viewer's password and end every session, this one included."""
    problems = ProblemCollector()
    user = await session.get(User, viewer.user_id, with_for_update=True)
    assert user is not None
    if not await password_matches(user.password_hash, current_password):
        problems.add(
            "currentPassword",
            UserErrorCode.INVALID_CREDENTIALS,
            "The current password is incorrect.",
        )
        problems.raise_if_any()
    check_password(problems, new_password, user.email, field="newPassword")
    problems.raise_if_any()
    await _store_password(session, user, new_password)


async def reset_two_factor(
    session: AsyncSession,
    viewer: Viewer,
    settings: Settings,
    *,
    user_id: uuid.UUID | None,
) -> tuple[User, list[uuid.UUID]]:
    """Let a coordinator clear a user's authenticator; the user sets it up at the next login."""
    user = await session.get(User, user_id, with_for_update=True) if user_id else None
    if user is None:
        raise NotFound
    organisation = await session.get(Organisation, user.organisation_id)
    assert organisation is not None
    if not await coordinator_may_administer(session, viewer, organisation):
        raise NotFound
    user.totp_secret = None
    user.totp_confirmed = False
    user.totp_last_step = None
    session.add(user)
    await revoke_all_sessions(session, user.id)
    mail = await enqueue_mail(
        session,
        to=user.email,
        template="totp_reset",
        context={"full_name": user.full_name, "login_url": settings.public_base_url},
    )
    record(
        session,
        action=AuditAction.TOTP_RESET,
        object_type="User",
        object_id=user.id,
        viewer=viewer,
        region_id=viewer.region_id,
        fields=["totp_secret"],
    )
    logger.info("two-factor setup of user %s reset by user %s", user.id, viewer.user_id)
    return user, [mail.id]
