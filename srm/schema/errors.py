"""Errors in the GraphQL result: userErrors in payloads and top-level error codes."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import strawberry
from graphql import GraphQLError, StringValueNode, ValidationRule
from strawberry.extensions import SchemaExtension

from srm.domain.errors import (
    Forbidden,
    InputProblems,
    NotFound,
    RateLimited,
    Unauthenticated,
    UserProblem,
)
from srm.domain.errors import UserErrorCode as DomainUserErrorCode

logger = logging.getLogger(__name__)

UserErrorCode = strawberry.enum(
    DomainUserErrorCode, description="Code of a problem the user can fix (foutcode)."
)


@strawberry.type(
    description="Problem with the input that the user can fix (invoerfout)."
)
class UserError:
    field: list[str] | None = strawberry.field(
        description='Path of the input field, e.g. ["input", "endDate"].'
    )
    code: UserErrorCode  # type: ignore[valid-type]
    message: str = strawberry.field(
        description="Explanation in English for developers."
    )


def user_errors(problems: list[UserProblem]) -> list[UserError]:
    return [
        UserError(field=list(p.field), code=p.code, message=p.message) for p in problems
    ]


def from_input_problems(error: InputProblems) -> list[UserError]:
    return user_errors(error.problems)


class ClientError(GraphQLError):
    """A top-level error that reaches the client as it is, with ``extensions.code``."""

    def __init__(self, message: str, code: str, **extensions: object) -> None:
        super().__init__(message, extensions={"code": code, **extensions})


def not_found() -> ClientError:
    return ClientError("Not found.", "NOT_FOUND")


def bad_request(message: str) -> ClientError:
    return ClientError(message, "BAD_REQUEST")


_DOMAIN_ERRORS: dict[type[Exception], tuple[str, str]] = {
    NotFound: ("NOT_FOUND", "Not found."),
    Forbidden: ("FORBIDDEN", "Your role may not run this operation."),
    Unauthenticated: (
        "UNAUTHENTICATED",
        "Not logged in, or the session ended: log in and send the token as a bearer token.",
    ),
}


class NoNulCharacters(ValidationRule):
    """Reject string literals with NUL characters; PostgreSQL cannot store them.

    NUL in JSON variables is rejected earlier, by ``RequestGuardMiddleware``.
    """

    def enter_string_value(self, node: StringValueNode, *_args: object) -> None:
        if "\x00" in node.value:
            self.report_error(
                GraphQLError("A string contains a NUL character; remove it.", node)
            )


# SQLSTATE 22021 (character_not_in_repertoire): text the database cannot store.
_UNSTORABLE_TEXT = "22021"


def _is_unstorable_text(error: BaseException) -> bool:
    current: BaseException | None = error
    while current is not None:
        if getattr(current, "sqlstate", None) == _UNSTORABLE_TEXT:
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False


class ErrorCodes(SchemaExtension):
    """Give every error a code; hide unexpected ones as INTERNAL and log each once.

    Errors of GraphQL itself (syntax, validation, variables) become BAD_REQUEST
    with their message, because the message only describes the query.
    """

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        errors = getattr(result, "errors", None)
        if not errors:
            return
        context = self.execution_context.context
        request_id = getattr(context, "request_id", None)
        result.errors = [self._with_code(error, request_id) for error in errors]  # type: ignore[union-attr]

    def _with_code(self, error: GraphQLError, request_id: str | None) -> GraphQLError:
        original = error.original_error
        if isinstance(original, ClientError):
            return GraphQLError(
                original.message,
                nodes=error.nodes,
                path=error.path,
                extensions=original.extensions,
            )
        if original is None:
            if error.extensions and "code" in error.extensions:
                return error
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                path=error.path,
                extensions={"code": "BAD_REQUEST"},
            )
        for kind, (code, message) in _DOMAIN_ERRORS.items():
            if isinstance(original, kind):
                return GraphQLError(
                    message,
                    nodes=error.nodes,
                    path=error.path,
                    extensions={"code": code},
                )
        if _is_unstorable_text(original):
            return GraphQLError(
                "A text contains a character that cannot be stored, such as NUL; remove it.",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "BAD_REQUEST"},
            )
        if isinstance(original, RateLimited):
            return GraphQLError(
                f"Too many attempts; try again in {original.retry_after} seconds.",
                nodes=error.nodes,
                path=error.path,
                extensions={"code": "RATE_LIMITED", "retryAfter": original.retry_after},
            )
        if error.path is None:
            # Parsing and coercing the request's variables failed before any resolver
            # ran. The message may quote the variables, passwords included, so it is
            # returned to the client that sent them and never logged.
            return GraphQLError(
                error.message,
                nodes=error.nodes,
                source=error.source,
                positions=error.positions,
                extensions={"code": "BAD_REQUEST"},
            )
        # The engine hides SQL parameters, so the traceback carries no input values.
        logger.error(
            "unexpected %s in request %s at %s",
            type(original).__name__,
            request_id,
            ".".join(str(p) for p in error.path or []),
            exc_info=original,
        )
        return GraphQLError(
            "Internal server error; quote the request id when reporting it.",
            nodes=error.nodes,
            path=error.path,
            extensions={"code": "INTERNAL", "requestId": request_id},
        )
