"""Errors the domain raises; the GraphQL layer turns them into userErrors or codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class UserErrorCode(StrEnum):
    """Codes of problems a user can fix; frontends map them to Dutch texts."""

    REQUIRED = "REQUIRED"
    INVALID = "INVALID"
    TOO_LONG = "TOO_LONG"
    NOT_POSITIVE = "NOT_POSITIVE"
    TOO_MANY_DECIMALS = "TOO_MANY_DECIMALS"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    END_BEFORE_START = "END_BEFORE_START"
    OUTSIDE_PROJECT_PERIOD = "OUTSIDE_PROJECT_PERIOD"
    NOT_FOUND = "NOT_FOUND"
    NOT_IN_POLICY = "NOT_IN_POLICY"
    WRONG_KIND = "WRONG_KIND"
    DUPLICATE_PERSON = "DUPLICATE_PERSON"
    DECLARATION_REQUIRED = "DECLARATION_REQUIRED"
    VALIDATED_ENTRY_LOCKED = "VALIDATED_ENTRY_LOCKED"
    ALREADY_VALIDATED = "ALREADY_VALIDATED"
    PROJECT_CLOSED = "PROJECT_CLOSED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    INVALID_CODE = "INVALID_CODE"
    CHALLENGE_EXPIRED = "CHALLENGE_EXPIRED"
    RATE_LIMITED = "RATE_LIMITED"
    PASSWORD_TOO_SHORT = "PASSWORD_TOO_SHORT"
    PASSWORD_TOO_COMMON = "PASSWORD_TOO_COMMON"
    PASSWORD_CONTAINS_EMAIL = "PASSWORD_CONTAINS_EMAIL"
    TOKEN_INVALID = "TOKEN_INVALID"
    EMAIL_TAKEN = "EMAIL_TAKEN"
    PERSONAL_DATA_SUSPECTED = (
        "PERSONAL_DATA_SUSPECTED"  # a warning: saved, but check it
    )


@dataclass(frozen=True)
class UserProblem:
    """One problem with the input: the input path, a code and an English message."""

    field: tuple[str, ...]
    code: UserErrorCode
    message: str


@dataclass
class InputProblems(Exception):
    """Raised with every problem found in one input; nothing has been written."""

    problems: list[UserProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(f"{'.'.join(p.field)}: {p.message}" for p in self.problems)


class ProblemCollector:
    """Collector of input problems, so a user gets all of them in one response."""

    def __init__(self, root: str = "input") -> None:
        self.root = root
        self.problems: list[UserProblem] = []

    def add(self, field_name: str, code: UserErrorCode, message: str) -> None:
        self.problems.append(UserProblem((self.root, field_name), code, message))

    def has(self, field_name: str) -> bool:
        return any(p.field[-1] == field_name for p in self.problems)

    def raise_if_any(self) -> None:
        if self.problems:
            raise InputProblems(list(self.problems))


class NotFound(Exception):
    """The object does not exist or the viewer may not see it; both look the same."""


class Forbidden(Exception):
    """The viewer's role may not run this operation."""


class Unauthenticated(Exception):
    """The operation needs a logged-in user."""


class RateLimited(Exception):
    """Too many attempts; the client must wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many attempts, retry after {retry_after} seconds")
        self.retry_after = retry_after
