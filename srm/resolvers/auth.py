"""Resolvers of login, verifyTotp, logout and viewer."""

from __future__ import annotations

import logging

import strawberry
from strawberry.types import Info

from srm.domain.errors import UserErrorCode, UserProblem
from srm.resolvers.common import context_of, require_viewer
from srm.schema.errors import UserError, bad_request, user_errors
from srm.schema.inputs import LoginInput, VerifyTotpInput
from srm.schema.relay import to_global_id
from srm.schema.types import Organisation, User, Viewer
from srm.services import auth as auth_service
from srm.services.audit import AuditAction, record

logger = logging.getLogger(__name__)

# One login step per request: aliases or batches cannot multiply password guesses.
MAX_AUTHENTICATION_OPERATIONS_PER_REQUEST = 1


@strawberry.type(description="Result of the first login step (inloggen).")
class LoginPayload:
    challenge: str | None = strawberry.field(
        description="Pass to verifyTotp with the authenticator code; valid for minutes."
    )
    totp_setup_required: bool = strawberry.field(
        description="The account has no confirmed authenticator yet (tweestapsverificatie instellen)."
    )
    user_errors: list[UserError]


@strawberry.type(description="Result of the second login step.")
class VerifyTotpPayload:
    token: str | None = strawberry.field(
        description="Session token; send it as Authorization: Bearer <token>."
    )
    viewer: Viewer | None
    user_errors: list[UserError]


@strawberry.type(description="Result of logout (uitloggen).")
class LogoutPayload:
    success: bool
    user_errors: list[UserError]


def count_attempt(info: Info) -> None:
    """Allow one login step per request, so aliases cannot multiply guesses."""
    context = context_of(info)
    context.authentication_attempts += 1
    if context.authentication_attempts > MAX_AUTHENTICATION_OPERATIONS_PER_REQUEST:
        raise bad_request(
            "Send one login, code or account-link step per request; this request "
            "contains more."
        )


async def resolve_login(info: Info, input: LoginInput) -> LoginPayload:
    count_attempt(info)
    context = context_of(info)
    step = await auth_service.login(
        context.sessionmaker,
        context.redis,
        email=input.email,
        password=input.password,
        client_address=context.client_address,
        challenge_seconds=context.settings.login_challenge_seconds,
    )
    if not step.valid:
        problem = UserProblem(
            ("input", "password"),
            UserErrorCode.INVALID_CREDENTIALS,
            "The email address or password is incorrect.",
        )
        return LoginPayload(
            challenge=None,
            totp_setup_required=False,
            user_errors=user_errors([problem]),
        )
    return LoginPayload(
        challenge=step.challenge,
        totp_setup_required=step.totp_setup_required,
        user_errors=[],
    )


def build_viewer(auth: auth_service.AuthenticatedUser) -> Viewer:
    return Viewer(
        user=User(
            id=to_global_id("User", auth.user.id),
            email=auth.user.email,
            full_name=auth.user.full_name,
            totp_confirmed=auth.user.totp_confirmed,
        ),
        organisation=Organisation.from_row(auth.organisation),
        role=auth.user.role,
    )


async def resolve_verify_totp(info: Info, input: VerifyTotpInput) -> VerifyTotpPayload:
    count_attempt(info)
    context = context_of(info)
    step = await auth_service.verify_totp(
        context.sessionmaker,
        context.redis,
        challenge=input.challenge,
        code=input.code,
        session_max_hours=context.settings.session_max_hours,
    )
    if step.token is None:
        if step.expired:
            problem = UserProblem(
                ("input", "challenge"),
                UserErrorCode.CHALLENGE_EXPIRED,
                "The challenge is unknown or expired; log in again with email and password.",
            )
        else:
            problem = UserProblem(
                ("input", "code"),
                UserErrorCode.INVALID_CODE,
                "The code is wrong, expired or already used; wait for the next code.",
            )
        return VerifyTotpPayload(
            token=None, viewer=None, user_errors=user_errors([problem])
        )
    authenticated = await auth_service.authenticate(
        context.sessionmaker,
        step.token,
        idle_minutes=context.settings.session_idle_minutes,
    )
    assert authenticated is not None
    if input.cookie:
        from srm.resolvers.accounts import set_session_cookies

        set_session_cookies(info, step.token)
        return VerifyTotpPayload(
            token=None, viewer=build_viewer(authenticated), user_errors=[]
        )
    return VerifyTotpPayload(
        token=step.token, viewer=build_viewer(authenticated), user_errors=[]
    )


async def resolve_logout(info: Info) -> LogoutPayload:
    context = context_of(info)
    viewer = require_viewer(info)
    assert context.auth is not None
    async with context.sessionmaker.begin() as session:
        await auth_service.revoke_session(session, context.auth.session_id)
        record(
            session,
            action=AuditAction.LOGOUT,
            object_type="User",
            object_id=viewer.user_id,
            viewer=viewer,
        )
    from srm.resolvers.accounts import clear_session_cookies

    clear_session_cookies(info)
    logger.info("session of user %s revoked by logout", viewer.user_id)
    return LogoutPayload(success=True, user_errors=[])


def resolve_viewer(info: Info) -> Viewer | None:
    auth = context_of(info).auth
    return build_viewer(auth) if auth else None
