"""Every operation, as every role, on projects in three positions.

The expected outcome is computed from the access policy in
``srm.domain.access``; the API must match it exactly, and anything the viewer
may not see must return NOT_FOUND (or null), never FORBIDDEN.
"""

from __future__ import annotations

import itertools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import pytest

from srm.domain.access import (
    OPERATION_ROLES,
    PUBLIC_OPERATIONS,
    Viewer,
    may_account_on_project,
    may_read_field,
    may_run,
    may_see_project,
    may_validate_on_project,
)
from srm.domain.enums import Role
from srm.schema.relay import to_global_id
from tests.access_fixtures import (
    ROLE_EMAILS,
    PlacedProject,
    add_entries,
    place_project,
    viewer_of,
)

PLACEMENTS = ["own", "other_org", "other_region"]


@dataclass
class Case:
    project: PlacedProject
    candidate_id: str
    cost_id: str
    project_id: str


Expectation = str  # "OK", "NOT_FOUND", "FORBIDDEN" or "NULL"
Operation = Callable[[Any, Case], Awaitable[Expectation]]


def _outcome(body: dict[str, Any], payload: str | None = None) -> Expectation:
    if body.get("errors"):
        return str(body["errors"][0]["extensions"]["code"])
    if payload is not None:
        errors = body["data"][payload]["userErrors"]
        assert errors == [], errors
    return "OK"


async def read_project(client: Any, case: Case) -> Expectation:
    body = await client.post(
        "query($id: ID!) { project(id: $id) { id candidates { totalCount } costs { totalCount } } }",
        {"id": case.project_id},
    )
    assert "errors" not in body, body
    return "OK" if body["data"]["project"] else "NULL"


async def read_node(client: Any, case: Case) -> Expectation:
    body = await client.post(
        "query($a: ID!, $b: ID!) { a: node(id: $a) { id } b: node(id: $b) { id } }",
        {"a": case.candidate_id, "b": case.cost_id},
    )
    assert "errors" not in body, body
    found = [body["data"]["a"] is not None, body["data"]["b"] is not None]
    assert found[0] == found[1]
    return "OK" if found[0] else "NULL"


async def read_project_audit_trail(client: Any, case: Case) -> Expectation:
    body = await client.post(
        "query($id: ID!) { project(id: $id) { auditTrail { totalCount } } }",
        {"id": case.project_id},
    )
    assert "errors" not in body, body
    if body["data"]["project"] is None:
        return "NULL"
    return "OK" if body["data"]["project"]["auditTrail"] is not None else "NULL"


async def add_cost(client: Any, case: Case) -> Expectation:
    body = await client.post(
        """mutation($input: AddCostInput!) { addCost(input: $input) { userErrors { code } } }""",
        {
            "input": {
                "projectId": case.project_id,
                "description": "Matrix",
                "date": "2025-04-01",
                "amount": "10.00",
                "declaredTruthful": True,
            }
        },
    )
    return _outcome(body, "addCost")


async def update_cost(client: Any, case: Case) -> Expectation:
    body = await client.post(
        """mutation($input: UpdateCostInput!) { updateCost(input: $input) { userErrors { code } } }""",
        {"input": {"id": case.cost_id, "amount": "11.00", "declaredTruthful": True}},
    )
    return _outcome(body, "updateCost")


async def update_candidate(client: Any, case: Case) -> Expectation:
    body = await client.post(
        """mutation($input: UpdateCandidateInput!) { updateCandidate(input: $input) {
            userErrors { code } } }""",
        {
            "input": {
                "id": case.candidate_id,
                "hoursPerWeek": "21",
                "declaredTruthful": True,
            }
        },
    )
    return _outcome(body, "updateCandidate")


async def delete_entry(client: Any, case: Case) -> Expectation:
    body = await client.post(
        """mutation($input: DeleteEntryInput!) { deleteEntry(input: $input) { userErrors { code } } }""",
        {"input": {"id": case.cost_id}},
    )
    return _outcome(body, "deleteEntry")


async def validate_entry(client: Any, case: Case) -> Expectation:
    body = await client.post(
        """mutation($input: ValidateEntryInput!) { validateEntry(input: $input) {
            userErrors { code } } }""",
        {"input": {"id": case.candidate_id}},
    )
    return _outcome(body, "validateEntry")


async def add_candidate(client: Any, case: Case) -> Expectation:
    residences = await client.post('{ residences(search: "Appingedam") { id } }')
    project = await client.post(
        "query($id: ID!) { project(id: $id) { policy { buildingBlocks { id } } } }",
        {"id": case.project_id},
    )
    blocks = (
        project["data"]["project"]["policy"]["buildingBlocks"]
        if project["data"]["project"]
        else [
            {
                "id": "QnVpbGRpbmdCbG9jazowMDAwMDAwMC0wMDAwLTAwMDAtMDAwMC0wMDAwMDAwMDAwMDA="
            }
        ]
    )
    body = await client.post(
        """mutation($input: AddCandidateInput!) { addCandidate(input: $input) {
            userErrors { code } } }""",
        {
            "input": {
                "projectId": case.project_id,
                "firstName": "Nieuw",
                "lastName": "Matrixpersoon",
                "dateOfBirth": "1992-02-02",
                "residenceId": residences["data"]["residences"][0]["id"],
                "jobTitle": "Tester",
                "educationLevel": "MBO_3",
                "buildingBlockId": blocks[0]["id"],
                "targetGroup": "OTHER",
                "contractType": "TEMPORARY",
                "startDate": "2025-09-01",
                "endDate": "2025-12-31",
                "hoursPerWeek": "16",
                "declaredTruthful": True,
            }
        },
    )
    return _outcome(body, "addCandidate")


def expected(operation: str, viewer: Viewer, project: PlacedProject) -> Expectation:
    """The outcome the access policy declares for one cell of the matrix."""
    parties = project.parties
    sees = may_see_project(viewer, parties)
    if operation in ("project", "node"):
        return "OK" if sees else "NULL"
    if operation == "Project.auditTrail":
        if not sees:
            return "NULL"
        allowed = may_read_field(viewer.role, "Project.auditTrail")
        return "OK" if allowed and may_account_on_project(viewer, parties) else "NULL"
    if not may_run(viewer, operation):
        return "FORBIDDEN"
    if operation == "validateEntry":
        return (
            "OK" if sees and may_validate_on_project(viewer, parties) else "NOT_FOUND"
        )
    return "OK" if sees and may_account_on_project(viewer, parties) else "NOT_FOUND"


OPERATIONS: dict[str, Operation] = {
    "project": read_project,
    "node": read_node,
    "Project.auditTrail": read_project_audit_trail,
    "addCost": add_cost,
    "addCandidate": add_candidate,
    "updateCost": update_cost,
    "updateCandidate": update_candidate,
    "deleteEntry": delete_entry,
    "validateEntry": validate_entry,
}

# Operations that act on no project; they have tests of their own below.
WITHOUT_PROJECT = {
    "logout",
    "createProject",
    "auditTrail",
    "inviteUser",
    "changePassword",
    "resetTwoFactor",
}


def test_matrix_covers_every_operation() -> None:
    covered = set(OPERATIONS) | WITHOUT_PROJECT | PUBLIC_OPERATIONS

    assert set(OPERATION_ROLES) <= covered


@pytest.mark.parametrize(
    ("operation", "role", "placement"),
    list(itertools.product(OPERATIONS, list(Role), PLACEMENTS)),
    ids=lambda value: value.value if isinstance(value, Role) else str(value),
)
async def test_access_matrix(
    as_user: Any, sessionmaker: Any, operation: str, role: Role, placement: str
) -> None:
    project = await place_project(sessionmaker, placement)
    candidate_id, cost_id = await add_entries(sessionmaker, project)
    case = Case(
        project=project,
        candidate_id=to_global_id("Candidate", candidate_id),
        cost_id=to_global_id("Cost", cost_id),
        project_id=to_global_id("Project", project.id),
    )
    async with sessionmaker() as session:
        viewer = await viewer_of(session, ROLE_EMAILS[role])
    client = await as_user(ROLE_EMAILS[role])

    outcome = await OPERATIONS[operation](client, case)

    assert outcome == expected(operation, viewer, project)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
async def test_region_audit_trail_roles(as_user: Any, role: Role) -> None:
    client = await as_user(ROLE_EMAILS[role])

    body = await client.post("{ auditTrail(first: 5) { totalCount } }")

    if role in OPERATION_ROLES["auditTrail"]:
        assert "errors" not in body, body
    else:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
async def test_create_project_roles(as_user: Any, role: Role) -> None:
    client = await as_user(ROLE_EMAILS[role])

    body = await client.post(
        """mutation { createProject(input: {name: "", contractorId: "x", regionId: "x",
           policyId: "x", startDate: "2026-01-01", endDate: "2026-12-31",
           agreementType: BEST_EFFORT}) { userErrors { code } } }"""
    )

    if role in OPERATION_ROLES["createProject"]:
        assert "errors" not in body, body
        assert body["data"]["createProject"]["userErrors"]
    else:
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


@pytest.mark.parametrize("operation", sorted(OPERATION_ROLES), ids=str)
async def test_anonymous_unauthenticated(anonymous: Any, operation: str) -> None:
    documents = {
        "logout": "mutation { logout { success } }",
        "auditTrail": "{ auditTrail { totalCount } }",
        "createProject": """mutation { createProject(input: {name: "x", contractorId: "x",
            regionId: "x", policyId: "x", startDate: "2026-01-01", endDate: "2026-12-31",
            agreementType: BEST_EFFORT}) { userErrors { code } } }""",
        "addCost": """mutation { addCost(input: {projectId: "x", description: "x",
            date: "2026-01-01", amount: "1.00", declaredTruthful: true}) { userErrors { code } } }""",
        "addCandidate": """mutation { addCandidate(input: {projectId: "x", firstName: "x",
            lastName: "x", dateOfBirth: "1990-01-01", residenceId: "x", jobTitle: "x",
            educationLevel: MBO_2, buildingBlockId: "x", targetGroup: OTHER,
            contractType: TEMPORARY, startDate: "2026-01-01", endDate: "2026-02-01",
            hoursPerWeek: "8", declaredTruthful: true}) { userErrors { code } } }""",
        "updateCost": """mutation { updateCost(input: {id: "x", declaredTruthful: true}) {
            userErrors { code } } }""",
        "updateCandidate": """mutation { updateCandidate(input: {id: "x", declaredTruthful: true}) {
            userErrors { code } } }""",
        "deleteEntry": 'mutation { deleteEntry(input: {id: "x"}) { userErrors { code } } }',
        "validateEntry": 'mutation { validateEntry(input: {id: "x"}) { userErrors { code } } }',
        "inviteUser": """mutation { inviteUser(input: {email: "nieuw@demo.srm.example",
            fullName: "Nieuw"}) { userErrors { code } } }""",
        "changePassword": """mutation { changePassword(input: {currentPassword: "x",
            newPassword: "y"}) { userErrors { code } } }""",
        "resetTwoFactor": 'mutation { resetTwoFactor(input: {userId: "x"}) { userErrors { code } } }',
    }

    body = await anonymous.post(documents[operation])

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# Spot checks written by hand, so a wrong rule in the policy module itself fails too.
HAND_WRITTEN = {
    ("project", Role.CONTRACTING_AUTHORITY): ["OK", "NULL", "NULL"],
    ("project", Role.CONTRACTOR): ["OK", "NULL", "NULL"],
    ("project", Role.INTERMEDIARY): ["OK", "NULL", "NULL"],
    ("project", Role.ACCOUNT_MANAGER): ["OK", "OK", "NULL"],
    ("project", Role.COORDINATOR): ["OK", "OK", "NULL"],
    ("addCost", Role.CONTRACTING_AUTHORITY): ["FORBIDDEN"] * 3,
    ("addCost", Role.CONTRACTOR): ["OK", "NOT_FOUND", "NOT_FOUND"],
    ("addCost", Role.INTERMEDIARY): ["OK", "NOT_FOUND", "NOT_FOUND"],
    ("addCost", Role.ACCOUNT_MANAGER): ["FORBIDDEN"] * 3,
    ("addCost", Role.COORDINATOR): ["FORBIDDEN"] * 3,
    ("validateEntry", Role.ACCOUNT_MANAGER): ["OK", "OK", "NOT_FOUND"],
    ("validateEntry", Role.CONTRACTOR): ["FORBIDDEN"] * 3,
    ("Project.auditTrail", Role.CONTRACTOR): ["OK", "NULL", "NULL"],
    ("Project.auditTrail", Role.COORDINATOR): ["NULL", "NULL", "NULL"],
}


@pytest.mark.parametrize(("key", "outcomes"), list(HAND_WRITTEN.items()), ids=str)
async def test_policy_spot_checks(
    sessionmaker: Any, key: tuple[str, Role], outcomes: list[str]
) -> None:
    operation, role = key
    async with sessionmaker() as session:
        viewer = await viewer_of(session, ROLE_EMAILS[role])

    for placement, outcome in zip(PLACEMENTS, outcomes, strict=True):
        project = await place_project(sessionmaker, placement)
        assert expected(operation, viewer, project) == outcome, placement
