"""Validation of entries by the account manager."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa

from srm.domain.enums import ProjectStatus
from srm.models import Project
from srm.schema.relay import to_global_id
from tests.access_fixtures import add_entries, place_project
from tests.conftest import ACCOUNT_MANAGER_EMAIL

VALIDATE = """
mutation($id: ID!) { validateEntry(input: {id: $id}) {
  candidate { validated } cost { validated } userErrors { code } } }
"""


@pytest.mark.parametrize(
    ("status", "codes"),
    [
        (ProjectStatus.ACTIVE, []),
        (ProjectStatus.AWAITING_APPROVAL, []),
        (ProjectStatus.APPROVED, ["PROJECT_CLOSED"]),
        (ProjectStatus.COMPLETED, ["PROJECT_CLOSED"]),
    ],
    ids=lambda value: value.value if isinstance(value, ProjectStatus) else str(value),
)
async def test_validate_by_project_status(
    as_user: Any, sessionmaker: Any, status: ProjectStatus, codes: list[str]
) -> None:
    project = await place_project(sessionmaker, "own")
    candidate_id, _ = await add_entries(sessionmaker, project)
    async with sessionmaker.begin() as session:
        await session.exec(
            sa.update(Project).where(Project.id == project.id).values(status=status)
        )
    account_manager = await as_user(ACCOUNT_MANAGER_EMAIL)

    data = await account_manager.data(
        VALIDATE, {"id": to_global_id("Candidate", candidate_id)}
    )

    assert [e["code"] for e in data["validateEntry"]["userErrors"]] == codes
    assert (data["validateEntry"]["candidate"] is not None) == (codes == [])


async def test_validate_twice_rejected(as_user: Any, sessionmaker: Any) -> None:
    project = await place_project(sessionmaker, "own")
    _, cost_id = await add_entries(sessionmaker, project)
    account_manager = await as_user(ACCOUNT_MANAGER_EMAIL)

    first = await account_manager.data(VALIDATE, {"id": to_global_id("Cost", cost_id)})
    second = await account_manager.data(VALIDATE, {"id": to_global_id("Cost", cost_id)})

    assert first["validateEntry"]["cost"]["validated"] is True
    assert [e["code"] for e in second["validateEntry"]["userErrors"]] == [
        "ALREADY_VALIDATED"
    ]
