"""Fixtures and helpers for tests that create a project and enter accountability."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import AUTHORITY_EMAIL

PROJECT_FIELDS = """
  id name startDate endDate status
  obligation { amount isEstimate }
  progress { actual forecast actualPercentage forecastPercentage }
  policy { id fulltimeHoursPerWeek buildingBlocks { id code yearlyValue maxMonths } }
"""

CREATE_PROJECT = f"""
mutation Create($input: CreateProjectInput!) {{
  createProject(input: $input) {{
    project {{ {PROJECT_FIELDS} }}
    userErrors {{ field code message }}
  }}
}}
"""

ADD_CANDIDATE = """
mutation Add($input: AddCandidateInput!) {
  addCandidate(input: $input) {
    candidate { id firstName lastName valueActual valueForecast municipality { name } redactedFields }
    project { progress { actual forecast actualPercentage forecastPercentage } }
    userErrors { field code message }
  }
}
"""

ADD_COST = """
mutation Add($input: AddCostInput!) {
  addCost(input: $input) {
    cost { id amount date description note }
    project { progress { actual forecast actualPercentage forecastPercentage } }
    userErrors { field code message }
    warnings { field code message }
  }
}
"""

RESIDENCES = """
query Residences($search: String!) {
  residences(search: $search) { id name municipality { name code } }
}
"""

SETUP_QUERY = """
{
  regions { id code }
  policies { id code region { code } }
  organisations(kind: CONTRACTOR, search: "Kwelderzand") { edges { node { id } } }
}
"""


@pytest.fixture
async def fresh_project(as_user: Any) -> dict[str, Any]:
    """A new project of the demo authority with the demo contractor, Groningen stand-in policy."""
    authority = await as_user(AUTHORITY_EMAIL)
    setup = await authority.data(SETUP_QUERY)
    region = next(r for r in setup["regions"] if r["code"] == "groningen")
    policy = next(
        p
        for p in setup["policies"]
        if p["region"] and p["region"]["code"] == "groningen"
    )
    contractor_id = setup["organisations"]["edges"][0]["node"]["id"]
    data = await authority.data(
        CREATE_PROJECT,
        {
            "input": {
                "name": "Testproject kademuur",
                "reference": "T-001",
                "contractorId": contractor_id,
                "regionId": region["id"],
                "policyId": policy["id"],
                "startDate": "2025-01-01",
                "endDate": "2027-12-31",
                "agreementType": "OBLIGATION",
                "obligationAmount": "100000.00",
            }
        },
    )
    payload = data["createProject"]
    assert payload["userErrors"] == []
    return payload["project"]  # type: ignore[no-any-return]


async def residence_id(client: Any, name: str) -> str:
    data = await client.data(RESIDENCES, {"search": name})
    exact = [r for r in data["residences"] if r["name"] == name]
    assert exact, data
    return exact[0]["id"]  # type: ignore[no-any-return]


def block_id(project: dict[str, Any], code: str) -> str:
    blocks = project["policy"]["buildingBlocks"]
    return next(b["id"] for b in blocks if b["code"] == code)  # type: ignore[no-any-return]


def candidate_input(
    project: dict[str, Any], residence: str, **changes: Any
) -> dict[str, Any]:
    values = {
        "projectId": project["id"],
        "firstName": "Testa",
        "lastName": "Voorbeeldhof",
        "dateOfBirth": "1990-05-17",
        "residenceId": residence,
        "jobTitle": "Grondwerker",
        "educationLevel": "MBO_2",
        "buildingBlockId": block_id(project, "participatiewet"),
        "targetGroup": "PARTICIPATION_ACT",
        "contractType": "TEMPORARY",
        "startDate": "2025-01-01",
        "endDate": "2025-06-30",
        "hoursPerWeek": "24",
        "hourlyWage": "15.50",
        "declaredTruthful": True,
    }
    values.update(changes)
    return values
