"""Canary values in personal fields must never reach the contracting authority,
the coordinator, or any log line."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from srm.schema.relay import to_global_id
from tests.access_fixtures import add_entries, place_project
from tests.conftest import AUTHORITY_EMAIL, CONTRACTOR_EMAIL, COORDINATOR_EMAIL

CANARY_FIRST_NAME = "Kanariepietje"
CANARY_LAST_NAME = "Zwavelgeelhof"
CANARY_BIRTH_DATE = date(1977, 7, 17)
CANARY_RESIDENCE = "Oosterbierum / Easterbierrum"
CANARY_WAGE = Decimal("77.71")
CANARY_CANDIDATE_NOTE = "kanarie-notitie-kandidaat"
CANARY_COST_NOTE = "kanarie-notitie-kosten"

CANARIES = [
    CANARY_FIRST_NAME,
    CANARY_LAST_NAME,
    CANARY_BIRTH_DATE.isoformat(),
    "17-07-1977",
    CANARY_RESIDENCE,
    str(CANARY_WAGE),
    CANARY_CANDIDATE_NOTE,
    CANARY_COST_NOTE,
]

CANDIDATE_FIELDS = """
  id firstName nameInfix lastName dateOfBirth hourlyWage note jobTitle educationLevel
  targetGroup contractType bonusCodes startDate endDate hoursPerWeek valueActual
  valueForecast validated possibleDuplicate redactedFields
  residence { id name bagCode municipality { name } }
  municipality { code name }
  buildingBlock { code name }
"""
COST_FIELDS = """
  id description amount hours date note validated redactedFields category { code name }
"""
PROJECT_FIELDS = f"""
  id name reference startDate endDate agreementType status
  obligation {{ amount isEstimate fixedOn }}
  progress {{ actual forecast actualPercentage forecastPercentage }}
  contractingAuthority {{ name }} contractor {{ name }} intermediary {{ name }}
  region {{ name }} policy {{ name }}
  candidates(first: 100) {{ totalCount edges {{ node {{ {CANDIDATE_FIELDS} }} }} }}
  costs(first: 100) {{ totalCount edges {{ node {{ {COST_FIELDS} }} }} }}
  auditTrail {{ totalCount edges {{ node {{ action objectType changedFields }} }} }}
"""


def assert_no_canary(text: str, where: str) -> None:
    for canary in CANARIES:
        assert canary not in text, f"{canary!r} leaked in {where}"


@pytest.fixture
async def planted(sessionmaker: Any) -> dict[str, str]:
    project = await place_project(sessionmaker, "own")
    candidate_id, cost_id = await add_entries(
        sessionmaker,
        project,
        first_name=CANARY_FIRST_NAME,
        last_name=CANARY_LAST_NAME,
        date_of_birth=CANARY_BIRTH_DATE,
        residence_name=CANARY_RESIDENCE,
        hourly_wage=CANARY_WAGE,
        candidate_note=CANARY_CANDIDATE_NOTE,
        cost_note=CANARY_COST_NOTE,
    )
    return {
        "project": to_global_id("Project", project.id),
        "candidate": to_global_id("Candidate", candidate_id),
        "cost": to_global_id("Cost", cost_id),
    }


def documents(ids: dict[str, str]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            f"{{ projects(first: 100) {{ edges {{ node {{ {PROJECT_FIELDS} }} }} }} }}",
            {},
        ),
        (
            f"query($id: ID!) {{ project(id: $id) {{ {PROJECT_FIELDS} }} }}",
            {"id": ids["project"]},
        ),
        (
            f"query($id: ID!) {{ node(id: $id) {{ ... on Candidate {{ {CANDIDATE_FIELDS} }} }} }}",
            {"id": ids["candidate"]},
        ),
        (
            f"query($id: ID!) {{ node(id: $id) {{ ... on Cost {{ {COST_FIELDS} }} }} }}",
            {"id": ids["cost"]},
        ),
        (
            "{ auditTrail(first: 100) { edges { node { action objectType changedFields } } } }",
            {},
        ),
        (
            """mutation($id: ID!) { updateCandidate(input: {id: $id, declaredTruthful: true}) {
                userErrors { message } } }""",
            {"id": ids["candidate"]},
        ),
        (
            """mutation($id: ID!) { validateEntry(input: {id: $id}) { userErrors { message } } }""",
            {"id": ids["candidate"]},
        ),
    ]


@pytest.mark.parametrize(
    "email", [AUTHORITY_EMAIL, COORDINATOR_EMAIL], ids=["authority", "coordinator"]
)
async def test_canaries_not_in_responses_or_logs(
    as_user: Any, planted: dict[str, str], email: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    client = await as_user(email)
    contractor = await as_user(CONTRACTOR_EMAIL)

    responses = [
        await client.post(query, variables) for query, variables in documents(planted)
    ]
    own_view = await contractor.post(
        f"query($id: ID!) {{ project(id: $id) {{ {PROJECT_FIELDS} }} }}",
        {"id": planted["project"]},
    )

    for (query, _), body in zip(documents(planted), responses, strict=True):
        assert_no_canary(str(body), f"response to {query[:60]!r}")
    # The canaries were really planted: the contractor receives them.
    assert CANARY_FIRST_NAME in str(own_view)
    assert CANARY_CANDIDATE_NOTE in str(own_view)
    # The masked views did receive the project, so the checks above saw real data.
    assert planted["candidate"] in str(responses[1])
    assert_no_canary(caplog.text, "log output")


# Query fields the canary documents read; a new query must be added to them.
CANARY_QUERIES = {"projects", "project", "node", "auditTrail"}
# Query fields that return no data of candidates or entries at all.
WITHOUT_PERSONAL_DATA = {"viewer", "residences", "regions", "policies", "organisations"}


def test_canary_covers_every_query() -> None:
    from graphql import build_schema

    from srm.schema.schema import schema

    query_type = build_schema(schema.as_str()).query_type
    assert query_type is not None
    fields = set(query_type.fields)

    assert fields == CANARY_QUERIES | WITHOUT_PERSONAL_DATA
