"""Login in two steps (password, then authenticator code) and bearer sessions.

Passwords are argon2id hashes, checked in a worker thread so a login does not
stall the event loop. A TOTP time step is accepted once per user. Failed
attempts are counted in Redis per account and per client address.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pyotp
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.domain.access import Viewer
from srm.domain.errors import RateLimited
from srm.models import Organisation, Session, User
from srm.services.audit import AuditAction, record

logger = logging.getLogger(__name__)

password_hasher = PasswordHasher()  # argon2id with the library's current defaults
# Verified when the email address is unknown, so both cases cost the same time.
_DUMMY_HASH = password_hasher.hash(secrets.token_hex(16))

CHALLENGE_PREFIX = "srm:login-challenge:"
# A separate prefix, so a setup challenge can never pass the code step of a login.
SETUP_CHALLENGE_PREFIX = "srm:login-setup-challenge:"
FAILURE_PREFIX = "srm:login-failures:"
MAX_FAILURES_PER_ACCOUNT = 5
MAX_FAILURES_PER_ADDRESS = 50
FAILURE_WINDOW_SECONDS = 15 * 60
LOCK_PREFIX = "srm:login-lock:"
LOCKOUTS_PREFIX = "srm:login-lockouts:"
LOCKOUT_BASE_SECONDS = 5 * 60
LOCKOUT_MAX_SECONDS = 24 * 3600
LOCKOUT_MEMORY_SECONDS = (
    24 * 3600
)  # how long earlier lock-outs make the next one longer
TOTP_VALID_WINDOW = 1  # steps of 30 s before and after the current one


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def hash_password(password: str) -> str:
    return password_hasher.hash(password)


async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(password_hasher.hash, password)


def _verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return password_hasher.verify(stored_hash or _DUMMY_HASH, password) and (
            stored_hash is not None
        )
    except (VerificationError, InvalidHashError):
        return False


async def password_matches(stored_hash: str | None, password: str) -> bool:
    """Check a password in a worker thread; an account without password never matches."""
    return await asyncio.to_thread(_verify_password, stored_hash, password)


def _email_key(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]


@dataclass
class RateLimiter:
    """Counts failed attempts per key in Redis and locks the key out at its limit.

    Failures count within ``FAILURE_WINDOW_SECONDS``. Reaching the limit locks
    the key for ``LOCKOUT_BASE_SECONDS``, doubled for every earlier lock-out of
    the same key in the last day, up to a day. Attempts during a lock-out are
    rejected before any password is checked.
    """

    redis: Redis

    async def check(self, *keys: tuple[str, int]) -> None:
        for key, _limit in keys:
            ttl = await self.redis.ttl(LOCK_PREFIX + key)
            if ttl is not None and int(ttl) > 0:
                raise RateLimited(int(ttl))

    async def record_failure(self, *keys: tuple[str, int]) -> None:
        for key, limit in keys:
            name = FAILURE_PREFIX + key
            failures = await self.redis.incr(name)
            if failures == 1:
                await self.redis.expire(name, FAILURE_WINDOW_SECONDS)
            if failures < limit:
                continue
            lockouts = await self.redis.incr(LOCKOUTS_PREFIX + key)
            await self.redis.expire(LOCKOUTS_PREFIX + key, LOCKOUT_MEMORY_SECONDS)
            seconds = min(
                LOCKOUT_BASE_SECONDS * 2 ** (lockouts - 1), LOCKOUT_MAX_SECONDS
            )
            await self.redis.set(LOCK_PREFIX + key, "1", ex=seconds)
            await self.redis.delete(name)
            logger.warning(
                "locked out %s for %d seconds after %d failures", key, seconds, failures
            )

    async def clear(self, key: str) -> None:
        await self.redis.delete(FAILURE_PREFIX + key)


async def _region_of(
    session: AsyncSession, organisation_id: uuid.UUID
) -> uuid.UUID | None:
    """Return the region of an organisation, so its users' logins reach that region's trail."""
    organisation = await session.get(Organisation, organisation_id)
    return organisation.region_id if organisation else None


@dataclass
class LoginStep:
    challenge: str | None
    totp_setup_required: bool
    valid: bool


async def login(
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: Redis,
    *,
    email: str,
    password: str,
    client_address: str,
    challenge_seconds: int,
) -> LoginStep:
    """Check email and password; on success return a short-lived challenge for the code step."""
    limiter = RateLimiter(redis)
    account_key = ("account:" + _email_key(email), MAX_FAILURES_PER_ACCOUNT)
    address_key = ("address:" + client_address, MAX_FAILURES_PER_ADDRESS)
    await limiter.check(account_key, address_key)

    async with sessionmaker() as session:
        user = (
            await session.exec(  # type: ignore[call-overload]
                sa.select(User).where(col(User.email) == email.strip().lower())
            )
        ).scalar_one_or_none()
    stored_hash = user.password_hash if user is not None and user.active else None
    valid = await asyncio.to_thread(_verify_password, stored_hash, password)
    if not valid or user is None:
        await limiter.record_failure(account_key, address_key)
        async with sessionmaker.begin() as session:
            record(
                session,
                action=AuditAction.LOGIN_FAILED,
                object_type="User",
                object_id=user.id if user else None,
                user_id=user.id if user else None,
                organisation_id=user.organisation_id if user else None,
                region_id=await _region_of(session, user.organisation_id)
                if user
                else None,
                fields=["password"],
            )
        # The account is left out: even a hash of the address can be matched.
        logger.info("login failed from %s", client_address)
        return LoginStep(challenge=None, totp_setup_required=False, valid=False)

    if password_hasher.check_needs_rehash(stored_hash or ""):
        new_hash = await hash_password_async(password)
        async with sessionmaker.begin() as session:
            await session.exec(
                sa.update(User).where(User.id == user.id).values(password_hash=new_hash)
            )
    if not user.totp_confirmed:
        setup = await issue_setup_challenge(redis, user.id, challenge_seconds)
        return LoginStep(challenge=setup, totp_setup_required=True, valid=True)

    challenge = secrets.token_urlsafe(32)
    await redis.set(
        CHALLENGE_PREFIX + token_hash(challenge), str(user.id), ex=challenge_seconds
    )
    return LoginStep(challenge=challenge, totp_setup_required=False, valid=True)


async def issue_setup_challenge(redis: Redis, user_id: uuid.UUID, seconds: int) -> str:
    """Return a challenge that allows setting up the authenticator of one user."""
    challenge = secrets.token_urlsafe(32)
    await redis.set(
        SETUP_CHALLENGE_PREFIX + token_hash(challenge), str(user_id), ex=seconds
    )
    return challenge


async def user_of_setup_challenge(redis: Redis, challenge: str) -> uuid.UUID | None:
    value = await redis.get(SETUP_CHALLENGE_PREFIX + token_hash(challenge))
    if value is None:
        return None
    return uuid.UUID(value.decode() if isinstance(value, bytes) else value)


async def drop_setup_challenge(redis: Redis, challenge: str) -> None:
    await redis.delete(SETUP_CHALLENGE_PREFIX + token_hash(challenge))


def new_session(
    user_id: uuid.UUID, now: datetime, max_hours: int
) -> tuple[str, Session]:
    """Return a new bearer token and the session row that stores its hash."""
    token = secrets.token_urlsafe(32)
    return token, Session(
        user_id=user_id,
        token_hash=token_hash(token),
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=max_hours),
    )


async def revoke_all_sessions(session: AsyncSession, user_id: uuid.UUID) -> None:
    await session.exec(
        sa.update(Session)
        .where(col(Session.user_id) == user_id, col(Session.revoked_at).is_(None))
        .values(revoked_at=datetime.now(tz=UTC))
    )


def matching_time_step(secret: str, code: str, now: datetime) -> int | None:
    """Return the TOTP time step that ``code`` belongs to, within the accepted window."""
    code = code.strip().replace(" ", "")
    # isdigit() alone also accepts digits of other scripts, which hmac cannot compare.
    if len(code) != 6 or not (code.isascii() and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for offset in range(-TOTP_VALID_WINDOW, TOTP_VALID_WINDOW + 1):
        step = current + offset
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


@dataclass
class CodeStep:
    token: str | None
    user_id: uuid.UUID | None
    expired: bool = False


async def verify_totp(
    sessionmaker: async_sessionmaker[AsyncSession],
    redis: Redis,
    *,
    challenge: str,
    code: str,
    session_max_hours: int,
) -> CodeStep:
    """Check the authenticator code for a challenge and open a session."""
    key = CHALLENGE_PREFIX + token_hash(challenge)
    user_id_text = await redis.get(key)
    if user_id_text is None:
        return CodeStep(token=None, user_id=None, expired=True)
    user_id = uuid.UUID(
        user_id_text.decode() if isinstance(user_id_text, bytes) else user_id_text
    )
    limiter = RateLimiter(redis)
    account_key = (f"totp:{user_id}", MAX_FAILURES_PER_ACCOUNT)
    await limiter.check(account_key)

    now = datetime.now(tz=UTC)
    async with sessionmaker.begin() as session:
        user = await session.get(User, user_id, with_for_update=True)
        if user is None or not user.active or not user.totp_secret:
            return CodeStep(token=None, user_id=None, expired=True)
        step = matching_time_step(user.totp_secret, code, now)
        if step is None or (
            user.totp_last_step is not None and step <= user.totp_last_step
        ):
            await limiter.record_failure(account_key)
            record(
                session,
                action=AuditAction.LOGIN_FAILED,
                object_type="User",
                object_id=user.id,
                user_id=user.id,
                organisation_id=user.organisation_id,
                region_id=await _region_of(session, user.organisation_id),
                fields=["code"],
            )
            logger.info("authenticator code rejected for user %s", user_id)
            return CodeStep(token=None, user_id=None)
        user.totp_last_step = step
        token, opened = new_session(user.id, now, session_max_hours)
        session.add(user)
        record(
            session,
            action=AuditAction.LOGIN,
            object_type="User",
            object_id=user.id,
            user_id=user.id,
            organisation_id=user.organisation_id,
            region_id=await _region_of(session, user.organisation_id),
        )
        session.add(opened)
    await redis.delete(key)
    await limiter.clear(account_key[0])
    # A completed login forgives earlier password mistakes of the account.
    await limiter.clear("account:" + _email_key(user.email))
    logger.info("session opened for user %s", user_id)
    return CodeStep(token=token, user_id=user_id)


@dataclass
class AuthenticatedUser:
    viewer: Viewer
    session_id: uuid.UUID
    user: User
    organisation: Organisation


async def authenticate(
    sessionmaker: async_sessionmaker[AsyncSession],
    token: str,
    *,
    idle_minutes: int,
) -> AuthenticatedUser | None:
    """Return the user of a bearer token, or None when it is unknown, revoked or expired."""
    now = datetime.now(tz=UTC)
    async with sessionmaker() as session:
        row = (
            await session.exec(  # type: ignore[call-overload]
                sa.select(Session, User, Organisation)
                .join(User, col(User.id) == Session.user_id)
                .join(Organisation, col(Organisation.id) == User.organisation_id)
                .where(col(Session.token_hash) == token_hash(token))
            )
        ).first()
        if row is None:
            return None
        stored, user, organisation = row
        if (
            stored.revoked_at is not None
            or stored.expires_at <= now
            or stored.last_seen_at + timedelta(minutes=idle_minutes) <= now
            or not user.active
        ):
            return None
        # Write the last activity at most once a minute to spare the database.
        if now - stored.last_seen_at > timedelta(minutes=1):
            await session.exec(
                sa.update(Session)
                .where(Session.id == stored.id)
                .values(last_seen_at=now)
            )
            await session.commit()
    return AuthenticatedUser(
        viewer=Viewer(
            user_id=user.id,
            organisation_id=organisation.id,
            role=user.role,
            region_id=organisation.region_id,
        ),
        session_id=stored.id,
        user=user,
        organisation=organisation,
    )


async def revoke_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.exec(
        sa.update(Session)
        .where(col(Session.id) == session_id, col(Session.revoked_at).is_(None))
        .values(revoked_at=datetime.now(tz=UTC))
    )
