"""The GraphQL schema: Query, Mutation and the schema extensions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.types import ExecutionContext

from srm.resolvers import accountability, accounts, audit, auth, projects, reference
from srm.schema.directives import requires_role, roles_text
from srm.schema.errors import ErrorCodes, NoNulCharacters
from srm.schema.relay import Connection, Node
from srm.schema.scalars import SCALAR_MAP
from srm.schema.types import (
    AuditEvent,
    Candidate,
    Cost,
    Organisation,
    Policy,
    Project,
    Region,
    Residence,
    Viewer,
)


@strawberry.type(description="Entry points for reading.")
class Query:
    viewer: Viewer | None = strawberry.field(
        resolver=auth.resolve_viewer,
        description="The logged-in user; null when not logged in.",
    )
    node: Node | None = strawberry.field(
        resolver=reference.resolve_node,
        description="Any object by its global id; null when unknown or not visible.",
    )
    project: Project | None = strawberry.field(
        resolver=projects.resolve_project,
        description="One project (opdracht); null when unknown or not visible.",
    )
    projects: Connection[Project] = strawberry.field(
        resolver=projects.resolve_projects,
        description=(
            "Projects (opdrachten) the viewer may see: parties see their own projects, "
            "account managers and coordinators those of their region."
        ),
    )
    residences: list[Residence] = strawberry.field(
        resolver=reference.resolve_residences,
        description=(
            "Residences (woonplaatsen) matching a name; a name found in several "
            "municipalities returns every option."
        ),
    )
    regions: list[Region] = strawberry.field(
        resolver=reference.resolve_regions,
        description="Labour-market regions (regio's).",
    )
    policies: list[Policy] = strawberry.field(
        resolver=reference.resolve_policies,
        description="Policy versions (methodieken) of a region and the national published tables.",
    )
    organisations: Connection[Organisation] = strawberry.field(
        resolver=reference.resolve_organisations,
        description="Organisations (organisaties).",
    )
    audit_trail: Connection[AuditEvent] = strawberry.field(
        resolver=audit.resolve_audit_trail,
        description="Audit trail of the coordinator's region (audittrail), newest first."
        + roles_text("auditTrail"),
        extensions=requires_role("auditTrail"),
    )


def _mutation(
    resolver: Callable[..., Awaitable[object]], operation: str, description: str
) -> object:
    return strawberry.mutation(
        resolver=resolver,
        description=description + roles_text(operation),
        extensions=requires_role(operation),
    )


@strawberry.type(description="Entry points for changes; each runs in one transaction.")
class Mutation:
    login: auth.LoginPayload = strawberry.mutation(
        resolver=auth.resolve_login,
        description="First login step: email and password; returns a challenge.",
    )
    verify_totp: auth.VerifyTotpPayload = strawberry.mutation(
        resolver=auth.resolve_verify_totp,
        description="Second login step: challenge and authenticator code; returns a session token.",
    )
    activate_account: accounts.ActivateAccountPayload = strawberry.mutation(
        resolver=accounts.resolve_activate_account,
        description="Set the first password with the token of the welcome mail (account activeren); "
        "returns a challenge for the authenticator setup.",
    )
    start_totp_setup: accounts.StartTotpSetupPayload = strawberry.mutation(
        resolver=accounts.resolve_start_totp_setup,
        description="Create the authenticator secret; returns the otpauth:// URI and a QR code (SVG).",
    )
    confirm_totp_setup: accounts.ConfirmTotpSetupPayload = strawberry.mutation(
        resolver=accounts.resolve_confirm_totp_setup,
        description="Confirm the authenticator with its first code; logs the user in.",
    )
    request_password_reset: accounts.RequestPasswordResetPayload = strawberry.mutation(
        resolver=accounts.resolve_request_password_reset,
        description="Mail a reset link if the address has an account (wachtwoord vergeten). "
        "The answer is the same either way.",
    )
    reset_password: accounts.ResetPasswordPayload = strawberry.mutation(
        resolver=accounts.resolve_reset_password,
        description="Set a new password with the token of the reset mail; ends every session.",
    )
    invite_user: accounts.InviteUserPayload = _mutation(  # type: ignore[assignment]
        accounts.resolve_invite_user,
        "inviteUser",
        "Create an account for a colleague and mail the activation link (uitnodigen).",
    )
    change_password: accounts.ChangePasswordPayload = _mutation(  # type: ignore[assignment]
        accounts.resolve_change_password,
        "changePassword",
        "Change the viewer's password; ends every session of the user.",
    )
    reset_two_factor: accounts.ResetTwoFactorPayload = _mutation(  # type: ignore[assignment]
        accounts.resolve_reset_two_factor,
        "resetTwoFactor",
        "Reset a user's authenticator link (2FA resetten); the user sets it up at the next login "
        "and is told by mail.",
    )
    logout: auth.LogoutPayload = _mutation(  # type: ignore[assignment]
        auth.resolve_logout, "logout", "End the current session (uitloggen)."
    )
    create_project: projects.CreateProjectPayload = _mutation(  # type: ignore[assignment]
        projects.resolve_create_project,
        "createProject",
        "Create a project (opdracht) with the viewer's organisation as contracting authority.",
    )
    add_cost: accountability.AddCostPayload = _mutation(  # type: ignore[assignment]
        accountability.resolve_add_cost, "addCost", "Add a cost (kosten) to a project."
    )
    update_cost: accountability.UpdateCostPayload = _mutation(  # type: ignore[assignment]
        accountability.resolve_update_cost,
        "updateCost",
        "Change a cost that is not validated.",
    )
    add_candidate: accountability.AddCandidatePayload = _mutation(  # type: ignore[assignment]
        accountability.resolve_add_candidate,
        "addCandidate",
        "Add a candidate (kandidaat) to a project.",
    )
    update_candidate: accountability.UpdateCandidatePayload = _mutation(  # type: ignore[assignment]
        accountability.resolve_update_candidate,
        "updateCandidate",
        "Change a candidate that is not validated; the value is computed again.",
    )
    delete_entry: accountability.DeleteEntryPayload = _mutation(  # type: ignore[assignment]
        accountability.resolve_delete_entry,
        "deleteEntry",
        "Delete a cost or candidate that is not validated.",
    )
    validate_entry: accountability.ValidateEntryPayload = _mutation(  # type: ignore[assignment]
        accountability.resolve_validate_entry,
        "validateEntry",
        "Validate a cost or candidate of the region by sample; it is locked after this.",
    )


class MonitorSchema(strawberry.Schema):
    """Schema whose errors are logged once by ``ErrorCodes``, not by Strawberry."""

    def process_errors(
        self,
        errors: list[GraphQLError],
        execution_context: ExecutionContext | None = None,
    ) -> None:
        return None


def create_schema() -> MonitorSchema:
    return MonitorSchema(
        config=StrawberryConfig(scalar_map=SCALAR_MAP),
        query=Query,
        mutation=Mutation,
        types=[Cost, Candidate],
        extensions=[
            ErrorCodes,
            lambda: AddValidationRules([NoNulCharacters]),
            lambda: QueryDepthLimiter(max_depth=12),
            lambda: MaxAliasesLimiter(max_alias_count=30),
            lambda: MaxTokensLimiter(max_token_count=5000),
        ],
    )


schema = create_schema()
