"""The ``@requiresRole`` directive and the permission check behind it."""

from __future__ import annotations

from functools import cache
from typing import Any

import strawberry
from strawberry.extensions import FieldExtension
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.schema_directive import Location
from strawberry.types import Info

from srm.domain.access import FIELD_ROLES, OPERATION_ROLES
from srm.domain.enums import Role as DomainRole
from srm.domain.errors import Forbidden, Unauthenticated

Role = strawberry.enum(
    DomainRole, description="Role of a user, fixed by the organisation's kind (rol)."
)


@strawberry.schema_directive(
    locations=[Location.FIELD_DEFINITION],
    description="Only users with one of these roles may use the field.",
)
class RequiresRole:
    roles: list[Role]  # type: ignore[valid-type]


@cache
def _permission_class(operation: str) -> type[BasePermission]:
    roles = OPERATION_ROLES[operation]

    class HasRole(BasePermission):
        _schema_directive = RequiresRole(roles=sorted(roles))  # type: ignore[assignment]

        def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
            viewer = info.context.viewer
            if viewer is None:
                raise Unauthenticated
            if viewer.role not in roles:
                raise Forbidden
            return True

    HasRole.__name__ = f"HasRoleFor{operation[0].upper()}{operation[1:]}"
    return HasRole


def requires_role(operation: str) -> list[FieldExtension]:
    """Return the field extensions that check and print the roles of ``operation``."""
    return [PermissionExtension(permissions=[_permission_class(operation)()])]


def roles_text(operation: str) -> str:
    names = ", ".join(sorted(role.value for role in OPERATION_ROLES[operation]))
    return f" Roles: {names}."


def field_directive(field: str) -> list[object]:
    """Return the printed ``@requiresRole`` of a restricted object field.

    The field itself returns null for other roles; the check runs per object,
    not as a permission extension on every row of a list.
    """
    return [RequiresRole(roles=sorted(FIELD_ROLES[field]))]


def field_roles_text(field: str) -> str:
    names = ", ".join(sorted(role.value for role in FIELD_ROLES[field]))
    return f" Roles: {names}; null for other roles."
