"""Resolvers of the account life cycle: invite, activate, authenticator setup, resets."""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import uuid
from typing import Any

import sqlalchemy as sa
import strawberry
from sqlmodel import col
from strawberry.types import Info

from srm.domain.enums import Role
from srm.domain.errors import (
    InputProblems,
    NotFound,
    UserErrorCode,
    UserProblem,
)
from srm.mail import schedule_sending
from srm.models import Organisation as OrganisationRow
from srm.models import User as UserRow
from srm.resolvers.auth import build_viewer, count_attempt
from srm.resolvers.common import context_of, require_viewer
from srm.schema.errors import UserError, from_input_problems, not_found, user_errors
from srm.schema.relay import decode_id, to_global_id
from srm.schema.types import User, Viewer
from srm.services import accounts as service
from srm.services import auth as auth_service

logger = logging.getLogger(__name__)

SESSION_COOKIE = "srm_session"
CSRF_COOKIE = "srm_csrf"
TOKEN_GUESSES_PER_ADDRESS = 20


@strawberry.input(description="A new account for a colleague (collega uitnodigen).")
class InviteUserInput:
    email: str
    full_name: str
    organisation_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Organisation of the account; the viewer's own when left out. "
        "Only a coordinator may name another organisation.",
    )


@strawberry.type(description="Result of inviteUser.")
class InviteUserPayload:
    user: User | None
    user_errors: list[UserError]


@strawberry.input(
    description="Activation link token and the first password (account activeren)."
)
class ActivateAccountInput:
    token: str
    password: str


@strawberry.type(
    description="Result of activateAccount: set up the authenticator next."
)
class ActivateAccountPayload:
    challenge: str | None = strawberry.field(
        description="Pass to startTotpSetup and confirmTotpSetup; valid for minutes."
    )
    user_errors: list[UserError]


@strawberry.input(
    description="Challenge from activateAccount or from a login that needs setup."
)
class StartTotpSetupInput:
    challenge: str


@strawberry.type(description="Authenticator setup (tweestapsverificatie instellen).")
class StartTotpSetupPayload:
    secret: str | None = strawberry.field(
        description="Base32 secret, for typing into the app."
    )
    otpauth_uri: str | None = strawberry.field(
        description="otpauth:// URI, as in the QR code."
    )
    qr_code_svg: str | None = strawberry.field(
        description="QR code as an SVG document."
    )
    user_errors: list[UserError]


@strawberry.input(description="Challenge and the first 6-digit code of the app.")
class ConfirmTotpSetupInput:
    challenge: str
    code: str
    cookie: bool = strawberry.field(
        default=False,
        description="Browsers: set an HttpOnly session cookie instead of returning the token.",
    )


@strawberry.type(description="Result of confirmTotpSetup: the user is logged in.")
class ConfirmTotpSetupPayload:
    token: str | None
    viewer: Viewer | None
    user_errors: list[UserError]


@strawberry.input(
    description="Email address for a password reset link (wachtwoord vergeten)."
)
class RequestPasswordResetInput:
    email: str


@strawberry.type(
    description="The same result whether or not the address has an account."
)
class RequestPasswordResetPayload:
    success: bool
    user_errors: list[UserError]


@strawberry.input(description="Reset link token and the new password.")
class ResetPasswordInput:
    token: str
    password: str


@strawberry.type(
    description="Result of resetPassword; every session of the user has ended."
)
class ResetPasswordPayload:
    success: bool
    user_errors: list[UserError]


@strawberry.input(description="Current and new password (wachtwoord wijzigen).")
class ChangePasswordInput:
    current_password: str
    new_password: str


@strawberry.type(
    description="Result of changePassword; every session has ended, log in again."
)
class ChangePasswordPayload:
    success: bool
    user_errors: list[UserError]


@strawberry.input(
    description="The user whose authenticator link is reset (2FA resetten)."
)
class ResetTwoFactorInput:
    user_id: strawberry.ID


@strawberry.type(description="Result of resetTwoFactor.")
class ResetTwoFactorPayload:
    user: User | None
    user_errors: list[UserError]


def user_type(row: Any) -> User:
    return User(
        id=to_global_id("User", row.id),
        email=row.email,
        full_name=row.full_name,
        totp_confirmed=row.totp_confirmed,
    )


async def resolve_organisation_users(
    info: Info, organisation_id: uuid.UUID
) -> list[User] | None:
    """Return the accounts of an organisation to its members and administering coordinators."""
    context = context_of(info)
    viewer = require_viewer(info)
    async with context.sessionmaker() as session:
        if viewer.organisation_id != organisation_id:
            organisation = await session.get(OrganisationRow, organisation_id)
            if viewer.role != Role.COORDINATOR or organisation is None:
                return None
            if not await service.coordinator_may_administer(
                session, viewer, organisation
            ):
                return None
        rows = (
            (
                await session.exec(  # type: ignore[call-overload]
                    sa.select(UserRow)
                    .where(col(UserRow.organisation_id) == organisation_id)
                    .order_by(UserRow.email)
                )
            )
            .scalars()
            .all()
        )
    return [user_type(row) for row in rows]


async def _guard_token_guessing(info: Info) -> None:
    """Limit activation and reset token attempts per client address."""
    count_attempt(info)
    context = context_of(info)
    limiter = auth_service.RateLimiter(context.redis)
    key = ("token-address:" + context.client_address, TOKEN_GUESSES_PER_ADDRESS)
    await limiter.check(key)


async def _record_token_failure(info: Info) -> None:
    context = context_of(info)
    limiter = auth_service.RateLimiter(context.redis)
    await limiter.record_failure(
        ("token-address:" + context.client_address, TOKEN_GUESSES_PER_ADDRESS)
    )


async def _schedule(info: Info, mail_ids: list[uuid.UUID]) -> None:
    if mail_ids:
        await schedule_sending(context_of(info).queue, mail_ids)


async def resolve_invite_user(info: Info, input: InviteUserInput) -> InviteUserPayload:
    context = context_of(info)
    viewer = require_viewer(info)
    organisation_id = None
    if input.organisation_id is not None:
        organisation_id = decode_id(input.organisation_id, "Organisation")
        if organisation_id is None:
            raise not_found()
    try:
        async with context.sessionmaker.begin() as session:
            invitation = await service.invite_user(
                session,
                viewer,
                context.settings,
                email=input.email,
                full_name=input.full_name,
                organisation_id=organisation_id,
            )
    except InputProblems as problems:
        return InviteUserPayload(user=None, user_errors=from_input_problems(problems))
    await _schedule(info, invitation.mail_ids)
    return InviteUserPayload(user=user_type(invitation.user), user_errors=[])


async def resolve_activate_account(
    info: Info, input: ActivateAccountInput
) -> ActivateAccountPayload:
    await _guard_token_guessing(info)
    context = context_of(info)
    try:
        async with context.sessionmaker.begin() as session:
            user = await service.activate_account(
                session, token=input.token, password=input.password
            )
    except InputProblems as problems:
        if any(p.code == UserErrorCode.TOKEN_INVALID for p in problems.problems):
            await _record_token_failure(info)
        return ActivateAccountPayload(
            challenge=None, user_errors=from_input_problems(problems)
        )
    challenge = await auth_service.issue_setup_challenge(
        context.redis, user.id, context.settings.login_challenge_seconds
    )
    logger.info("account %s activated", user.id)
    return ActivateAccountPayload(challenge=challenge, user_errors=[])


def _expired_challenge() -> list[UserError]:
    return user_errors(
        [
            UserProblem(
                ("input", "challenge"),
                UserErrorCode.CHALLENGE_EXPIRED,
                "The challenge is unknown or expired; log in again with email and password.",
            )
        ]
    )


async def resolve_start_totp_setup(
    info: Info, input: StartTotpSetupInput
) -> StartTotpSetupPayload:
    count_attempt(info)
    context = context_of(info)
    user_id = await auth_service.user_of_setup_challenge(context.redis, input.challenge)
    if user_id is None:
        return StartTotpSetupPayload(
            secret=None,
            otpauth_uri=None,
            qr_code_svg=None,
            user_errors=_expired_challenge(),
        )
    try:
        async with context.sessionmaker.begin() as session:
            setup = await service.start_totp_setup(session, user_id)
    except NotFound:
        return StartTotpSetupPayload(
            secret=None,
            otpauth_uri=None,
            qr_code_svg=None,
            user_errors=_expired_challenge(),
        )
    return StartTotpSetupPayload(
        secret=setup.secret,
        otpauth_uri=setup.otpauth_uri,
        qr_code_svg=setup.qr_code_svg,
        user_errors=[],
    )


async def resolve_confirm_totp_setup(
    info: Info, input: ConfirmTotpSetupInput
) -> ConfirmTotpSetupPayload:
    count_attempt(info)
    context = context_of(info)
    user_id = await auth_service.user_of_setup_challenge(context.redis, input.challenge)
    if user_id is None:
        return ConfirmTotpSetupPayload(
            token=None, viewer=None, user_errors=_expired_challenge()
        )
    limiter = auth_service.RateLimiter(context.redis)
    key = (f"totp:{user_id}", auth_service.MAX_FAILURES_PER_ACCOUNT)
    await limiter.check(key)
    try:
        async with context.sessionmaker.begin() as session:
            token = await service.confirm_totp_setup(
                session, user_id, input.code, context.settings.session_max_hours
            )
    except NotFound:
        return ConfirmTotpSetupPayload(
            token=None, viewer=None, user_errors=_expired_challenge()
        )
    except InputProblems as problems:
        await limiter.record_failure(key)
        return ConfirmTotpSetupPayload(
            token=None, viewer=None, user_errors=from_input_problems(problems)
        )
    await auth_service.drop_setup_challenge(context.redis, input.challenge)
    authenticated = await auth_service.authenticate(
        context.sessionmaker, token, idle_minutes=context.settings.session_idle_minutes
    )
    assert authenticated is not None
    if input.cookie:
        set_session_cookies(info, token)
        token_out = None
    else:
        token_out = token
    logger.info("authenticator confirmed for user %s", user_id)
    return ConfirmTotpSetupPayload(
        token=token_out, viewer=build_viewer(authenticated), user_errors=[]
    )


async def resolve_request_password_reset(
    info: Info,
    input: RequestPasswordResetInput,
) -> RequestPasswordResetPayload:
    """Queue the reset request, so known and unknown addresses take the same time."""
    count_attempt(info)
    context = context_of(info)
    limiter = auth_service.RateLimiter(context.redis)
    key = ("reset-address:" + context.client_address, TOKEN_GUESSES_PER_ADDRESS)
    await limiter.check(key)
    await limiter.record_failure(key)
    queued = await enqueue_reset_request(context.queue, input.email)
    if not queued:
        # The queue is down: do the work here rather than lose the request.
        await process_reset_request(
            context.sessionmaker, context.settings, context.queue, input.email
        )
    return RequestPasswordResetPayload(success=True, user_errors=[])


async def enqueue_reset_request(queue: Any, email: str) -> bool:
    """Queue a reset request under a random key; return False when the queue is down."""
    from workers.account_jobs import RESET_REQUEST_PREFIX, RESET_REQUEST_SECONDS
    from workers.settings import QUEUE_NAME

    if queue is None:
        return False
    request_key = secrets.token_urlsafe(16)
    try:
        await queue.set(
            RESET_REQUEST_PREFIX + request_key, email, ex=RESET_REQUEST_SECONDS
        )
        await queue.enqueue_job(
            "process_password_reset_request", request_key, _queue_name=QUEUE_NAME
        )
    except (OSError, ConnectionError) as error:
        logger.warning("password reset request not queued: %s", type(error).__name__)
        return False
    return True


async def process_reset_request(
    sessionmaker: Any, settings: Any, queue: Any, email: str
) -> None:
    async with sessionmaker.begin() as session:
        mail_ids = await service.request_password_reset(session, settings, email=email)
    if mail_ids:
        await schedule_sending(queue, mail_ids)


async def resolve_reset_password(
    info: Info, input: ResetPasswordInput
) -> ResetPasswordPayload:
    await _guard_token_guessing(info)
    context = context_of(info)
    try:
        async with context.sessionmaker.begin() as session:
            user = await service.reset_password(
                session, token=input.token, password=input.password
            )
    except InputProblems as problems:
        if any(p.code == UserErrorCode.TOKEN_INVALID for p in problems.problems):
            await _record_token_failure(info)
        return ResetPasswordPayload(
            success=False, user_errors=from_input_problems(problems)
        )
    logger.info("password of user %s reset; sessions revoked", user.id)
    return ResetPasswordPayload(success=True, user_errors=[])


async def resolve_change_password(
    info: Info, input: ChangePasswordInput
) -> ChangePasswordPayload:
    count_attempt(info)
    context = context_of(info)
    viewer = require_viewer(info)
    limiter = auth_service.RateLimiter(context.redis)
    key = (f"password-change:{viewer.user_id}", auth_service.MAX_FAILURES_PER_ACCOUNT)
    await limiter.check(key)
    try:
        async with context.sessionmaker.begin() as session:
            await service.change_password(
                session,
                viewer,
                current_password=input.current_password,
                new_password=input.new_password,
            )
    except InputProblems as problems:
        if any(p.code == UserErrorCode.INVALID_CREDENTIALS for p in problems.problems):
            await limiter.record_failure(key)
        return ChangePasswordPayload(
            success=False, user_errors=from_input_problems(problems)
        )
    clear_session_cookies(info)
    logger.info("password of user %s changed; sessions revoked", viewer.user_id)
    return ChangePasswordPayload(success=True, user_errors=[])


async def resolve_reset_two_factor(
    info: Info, input: ResetTwoFactorInput
) -> ResetTwoFactorPayload:
    context = context_of(info)
    viewer = require_viewer(info)
    async with context.sessionmaker.begin() as session:
        user, mail_ids = await service.reset_two_factor(
            session, viewer, context.settings, user_id=decode_id(input.user_id, "User")
        )
    await _schedule(info, mail_ids)
    return ResetTwoFactorPayload(user=user_type(user), user_errors=[])


def csrf_token_for(settings: Any, session_token: str) -> str:
    """Return the CSRF token of a session: a keyed hash, so it cannot be made up."""
    key = settings.secret_key.get_secret_value().encode()
    return hmac.new(key, b"csrf:" + session_token.encode(), hashlib.sha256).hexdigest()


def set_session_cookies(info: Info, token: str) -> None:
    """Set the HttpOnly session cookie and the CSRF cookie the client echoes in a header."""

    context = context_of(info)
    response = context.response
    if response is None:
        return
    max_age = context.settings.session_max_hours * 3600
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=max_age,
        httponly=True,
        secure=True,
        samesite="strict",
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        csrf_token_for(context.settings, token),
        max_age=max_age,
        httponly=False,
        secure=True,
        samesite="strict",
        path="/",
    )


def clear_session_cookies(info: Info) -> None:
    response = context_of(info).response
    if response is None:
        return
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=True, httponly=True, samesite="strict"
    )
    response.delete_cookie(CSRF_COOKIE, path="/", secure=True, samesite="strict")
