"""Possible double counting across projects, and the audit trail."""

from __future__ import annotations

from datetime import date
from typing import Any

import sqlalchemy as sa

from srm.models import AuditEvent
from srm.schema.relay import to_global_id
from tests.access_fixtures import add_entries, place_project
from tests.conftest import (
    ACCOUNT_MANAGER_EMAIL,
    AUTHORITY_EMAIL,
    CONTRACTOR_EMAIL,
    COORDINATOR_EMAIL,
)

FLAG = "query($id: ID!) { node(id: $id) { ... on Candidate { possibleDuplicate } } }"


async def test_same_person_flagged_across_projects(
    as_user: Any, sessionmaker: Any
) -> None:
    first = await place_project(sessionmaker, "own")
    second = await place_project(sessionmaker, "other_org")
    elsewhere = await place_project(sessionmaker, "other_region")
    person = {
        "first_name": "Dubbel",
        "last_name": "Telling",
        "date_of_birth": date(1980, 8, 8),
    }
    in_first, _ = await add_entries(sessionmaker, first, **person)
    in_second, _ = await add_entries(sessionmaker, second, **person)
    in_other_region, _ = await add_entries(sessionmaker, elsewhere, **person)
    coordinator = await as_user(COORDINATOR_EMAIL)
    contractor = await as_user(CONTRACTOR_EMAIL)

    seen_by_coordinator = await coordinator.data(
        FLAG, {"id": to_global_id("Candidate", in_first)}
    )
    seen_by_contractor = await contractor.data(
        FLAG, {"id": to_global_id("Candidate", in_first)}
    )
    account_manager = await as_user(ACCOUNT_MANAGER_EMAIL)
    seen_by_account_manager = await account_manager.data(
        FLAG, {"id": to_global_id("Candidate", in_second)}
    )
    other_region = await as_user("fokje.fries@demo.srm.example")
    flagged_elsewhere = await other_region.data(
        FLAG, {"id": to_global_id("Candidate", in_other_region)}
    )

    assert seen_by_coordinator["node"]["possibleDuplicate"] is True
    assert seen_by_account_manager["node"]["possibleDuplicate"] is True
    # A contractor could probe names and dates of birth with it, so it gets null.
    assert seen_by_contractor["node"]["possibleDuplicate"] is None
    # Keys are made per region, so the Friesland entry matches nothing in Groningen.
    assert flagged_elsewhere["node"]["possibleDuplicate"] is False
    assert in_second != in_first


async def test_other_person_not_flagged(as_user: Any, sessionmaker: Any) -> None:
    project = await place_project(sessionmaker, "own")
    candidate_id, _ = await add_entries(
        sessionmaker,
        project,
        first_name="Enkel",
        last_name="Eenmalig",
        date_of_birth=date(1979, 9, 9),
    )
    coordinator = await as_user(COORDINATOR_EMAIL)

    data = await coordinator.data(FLAG, {"id": to_global_id("Candidate", candidate_id)})

    assert data["node"]["possibleDuplicate"] is False


async def test_trail_records_fields_not_values(as_user: Any, sessionmaker: Any) -> None:
    project = await place_project(sessionmaker, "own")
    candidate_id, cost_id = await add_entries(
        sessionmaker, project, first_name="Spoorzoeker"
    )
    contractor = await as_user(CONTRACTOR_EMAIL)
    await contractor.data(
        """mutation($id: ID!) { updateCandidate(input: {id: $id, lastName: "Nieuwenaam",
            hoursPerWeek: "30", declaredTruthful: true}) { userErrors { code } } }""",
        {"id": to_global_id("Candidate", candidate_id)},
    )
    await contractor.data(
        "mutation($id: ID!) { deleteEntry(input: {id: $id}) { userErrors { code } } }",
        {"id": to_global_id("Cost", cost_id)},
    )

    trail = await contractor.data(
        """query($id: ID!) { project(id: $id) { auditTrail { totalCount edges { node {
            action objectType objectId changedFields organisation { name } } } } } }""",
        {"id": to_global_id("Project", project.id)},
    )
    async with sessionmaker() as session:
        stored = (
            (
                await session.exec(
                    sa.select(AuditEvent).where(AuditEvent.project_id == project.id)
                )
            )
            .scalars()
            .all()
        )

    events = [edge["node"] for edge in trail["project"]["auditTrail"]["edges"]]
    update = next(e for e in events if e["action"] == "UPDATE")
    assert update["changedFields"] == ["hours_per_week", "last_name"]
    assert update["objectType"] == "Candidate"
    assert update["organisation"]["name"] == "Bouwbedrijf Kwelderzand B.V."
    assert {e["action"] for e in events} >= {"CREATE", "UPDATE", "DELETE"}
    assert "Nieuwenaam" not in str(trail)
    assert "Spoorzoeker" not in str([e.model_dump() for e in stored])
    assert all(e.request_id for e in stored if e.action != "CREATE")


async def test_coordinator_reads_region_trail(as_user: Any, sessionmaker: Any) -> None:
    project = await place_project(sessionmaker, "own")
    await add_entries(sessionmaker, project)
    await add_entries(sessionmaker, await place_project(sessionmaker, "other_region"))
    coordinator = await as_user(COORDINATOR_EMAIL)

    data = await coordinator.data(
        "{ auditTrail(first: 100) { totalCount edges { node { objectId action } } } }"
    )

    async with sessionmaker() as session:
        region_events = (
            await session.exec(
                sa.select(sa.func.count())
                .select_from(AuditEvent)
                .where(AuditEvent.region_id == project.parties.region_id)
            )
        ).scalar_one()
        other_region_projects = (
            (
                await session.exec(
                    sa.select(AuditEvent.object_id).where(
                        AuditEvent.region_id != project.parties.region_id,
                        AuditEvent.object_type == "Candidate",
                    )
                )
            )
            .scalars()
            .all()
        )
    seen = {edge["node"]["objectId"] for edge in data["auditTrail"]["edges"]}
    assert data["auditTrail"]["totalCount"] == region_events
    assert not seen & {to_global_id("Candidate", i) for i in other_region_projects}


async def test_authority_cannot_read_project_trail(
    as_user: Any, sessionmaker: Any
) -> None:
    project = await place_project(sessionmaker, "own")
    await add_entries(sessionmaker, project)
    authority = await as_user(AUTHORITY_EMAIL)

    data = await authority.data(
        "query($id: ID!) { project(id: $id) { name auditTrail { totalCount } } }",
        {"id": to_global_id("Project", project.id)},
    )

    assert data["project"]["name"]
    assert data["project"]["auditTrail"] is None


async def test_login_recorded(anonymous: Any, sessionmaker: Any) -> None:
    await anonymous.post(
        'mutation { login(input: {email: "niemand@demo.srm.example", password: "wrong-password"}) { challenge } }'
    )

    async with sessionmaker() as session:
        failed = (
            (
                await session.exec(
                    sa.select(AuditEvent)
                    .where(AuditEvent.action == "LOGIN_FAILED")
                    .order_by(AuditEvent.at.desc())
                )
            )
            .scalars()
            .first()
        )

    assert failed is not None
    assert failed.user_id is None
    assert "niemand" not in str(failed.model_dump())


async def test_regional_login_in_region_trail(
    anonymous: Any, as_user: Any, sessionmaker: Any
) -> None:
    await anonymous.post(
        'mutation { login(input: {email: "aukje.accountmanager@demo.srm.example", '
        'password: "wrong-password-x"}) { challenge } }'
    )
    coordinator = await as_user(COORDINATOR_EMAIL)

    data = await coordinator.data(
        "{ auditTrail(first: 20) { edges { node { action objectType } } } }"
    )

    actions = [
        (e["node"]["action"], e["node"]["objectType"])
        for e in data["auditTrail"]["edges"]
    ]
    assert ("LOGIN_FAILED", "User") in actions
