"""Access policy: which roles may run each operation, and who sees which project.

The GraphQL layer reads ``OPERATION_ROLES`` for the ``@requiresRole``
directive and for its checks; ``srm.services.access`` turns ``may_see_project``
into SQL. Resolvers ask these declarations and never repeat a rule.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from srm.domain.enums import Role

ALL_ROLES = frozenset(Role)
ACCOUNTING_ROLES = frozenset({Role.CONTRACTOR, Role.INTERMEDIARY})
REGIONAL_ROLES = frozenset({Role.ACCOUNT_MANAGER, Role.COORDINATOR})

# Roles allowed to run each mutation and restricted query. Login steps need no role.
OPERATION_ROLES: dict[str, frozenset[Role]] = {
    "logout": ALL_ROLES,
    "createProject": frozenset({Role.CONTRACTING_AUTHORITY}),
    "addCost": ACCOUNTING_ROLES,
    "addCandidate": ACCOUNTING_ROLES,
    "updateCost": ACCOUNTING_ROLES,
    "updateCandidate": ACCOUNTING_ROLES,
    "deleteEntry": ACCOUNTING_ROLES,
    "validateEntry": frozenset({Role.ACCOUNT_MANAGER}),
    "auditTrail": frozenset({Role.COORDINATOR}),
    "inviteUser": ALL_ROLES,
    "changePassword": ALL_ROLES,
    "resetTwoFactor": frozenset({Role.COORDINATOR}),
}

# Roles that may read each restricted field of an object type. Other roles get null.
FIELD_ROLES: dict[str, frozenset[Role]] = {
    # Roles that check double counting. Contractors and intermediaries are left
    # out: by entering a name and date of birth they could learn that the person
    # works on another organisation's project.
    "Candidate.possibleDuplicate": frozenset(
        {Role.CONTRACTING_AUTHORITY, Role.ACCOUNT_MANAGER, Role.COORDINATOR}
    ),
    # The project's contact persons read the trail of its entries.
    "Project.auditTrail": ACCOUNTING_ROLES,
    # Every role, but only for its own organisation; coordinators also for those they administer.
    "Organisation.users": ALL_ROLES,
}

# Operations without a session: the login steps and the account links of mails.
PUBLIC_OPERATIONS = frozenset(
    {
        "login",
        "verifyTotp",
        "activateAccount",
        "startTotpSetup",
        "confirmTotpSetup",
        "requestPasswordReset",
        "resetPassword",
    }
)


@dataclass(frozen=True)
class Viewer:
    """The logged-in user as access rules need it."""

    user_id: uuid.UUID
    organisation_id: uuid.UUID
    role: Role
    region_id: uuid.UUID | None


@dataclass(frozen=True)
class ProjectParties:
    """The organisations and region of a project."""

    contracting_authority_id: uuid.UUID
    contractor_id: uuid.UUID
    intermediary_id: uuid.UUID | None
    region_id: uuid.UUID


def may_run(viewer: Viewer, operation: str) -> bool:
    return viewer.role in OPERATION_ROLES[operation]


def may_read_field(role: Role | None, field: str) -> bool:
    return role is not None and role in FIELD_ROLES[field]


def may_see_project(viewer: Viewer, project: ProjectParties) -> bool:
    """Parties see their own projects; account managers and coordinators their region's."""
    if viewer.role in REGIONAL_ROLES:
        return viewer.region_id is not None and viewer.region_id == project.region_id
    return viewer.organisation_id in {
        project.contracting_authority_id,
        project.contractor_id,
        project.intermediary_id,
    }


def may_account_on_project(viewer: Viewer, project: ProjectParties) -> bool:
    """Only the contractor and the linked intermediary enter accountability."""
    if viewer.role == Role.CONTRACTOR:
        return viewer.organisation_id == project.contractor_id
    if viewer.role == Role.INTERMEDIARY:
        return viewer.organisation_id == project.intermediary_id
    return False


def may_validate_on_project(viewer: Viewer, project: ProjectParties) -> bool:
    """Account managers validate entries of their region's projects."""
    return (
        viewer.role == Role.ACCOUNT_MANAGER
        and viewer.region_id is not None
        and viewer.region_id == project.region_id
    )
