"""Masking policy (AVG/GDPR): which roles never receive which fields.

Masked fields resolve to null and are listed in ``redactedFields``. Every way
data leaves the server (GraphQL now, exports and mails later) calls
``redacted_fields`` for the object type and the viewer's role.
"""

from __future__ import annotations

from srm.domain.enums import Role

CANDIDATE_IDENTITY = frozenset(
    {
        "firstName",
        "nameInfix",
        "lastName",
        "dateOfBirth",
        "residence",
        "hourlyWage",
        "note",
    }
)
COST_PRIVATE = frozenset({"note"})

# NOTE: a masked role still receives each candidate's value, period, hours and
# building block, which it needs to judge progress. Where an age bonus raised
# the value, the value gives away that the person had reached the bonus age.

# Roles that judge progress but never see notes, documents or a person's identity.
_MASKED_ROLES = frozenset({Role.CONTRACTING_AUTHORITY, Role.COORDINATOR})

MASKED_FIELDS: dict[str, dict[Role | None, frozenset[str]]] = {
    "Candidate": {role: CANDIDATE_IDENTITY for role in _MASKED_ROLES}
    | {None: CANDIDATE_IDENTITY},
    "Cost": {role: COST_PRIVATE for role in _MASKED_ROLES} | {None: COST_PRIVATE},
}


def redacted_fields(type_name: str, role: Role | None) -> frozenset[str]:
    """Return the fields of ``type_name`` withheld from ``role`` (None: no login or a portal)."""
    return MASKED_FIELDS.get(type_name, {}).get(role, frozenset())


def mask_record(
    type_name: str, role: Role | None, record: dict[str, object]
) -> dict[str, object]:
    """Return a copy of ``record`` with the fields withheld from ``role`` set to None.

    Exports, mails and any other way out of the server call this with the
    GraphQL field names as keys, so they apply the same policy as the API.
    """
    hidden = redacted_fields(type_name, role)
    return {key: (None if key in hidden else value) for key, value in record.items()}
