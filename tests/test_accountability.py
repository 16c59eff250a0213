"""Entering costs and candidates through the API, as a contractor would."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
import sqlalchemy as sa

from srm.domain.valuation import today_in_amsterdam
from srm.models import Candidate, Cost, Project
from tests.conftest import (
    AUTHORITY_EMAIL,
    CONTRACTOR_EMAIL,
    OTHER_CONTRACTOR_EMAIL,
    organisation_of,
)
from tests.project_fixtures import (
    ADD_CANDIDATE,
    ADD_COST,
    CREATE_PROJECT,
    RESIDENCES,
    SETUP_QUERY,
    block_id,
    candidate_input,
    residence_id,
)


async def test_candidate_and_cost_progress(
    as_user: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")

    added = (
        await contractor.data(
            ADD_CANDIDATE, {"input": candidate_input(fresh_project, residence)}
        )
    )["addCandidate"]
    cost = (
        await contractor.data(
            ADD_COST,
            {
                "input": {
                    "projectId": fresh_project["id"],
                    "description": "Opleiding VCA",
                    "date": "2025-03-01",
                    "amount": "1250.00",
                    "declaredTruthful": True,
                    "note": "Factuur 2025-17",
                }
            },
        )
    )["addCost"]

    assert added["userErrors"] == []
    # 40,000 a year, 24 of 36 hours, 1 January to 30 June 2025 (181 days):
    # 40000 * 24/36 * 181/365 = 13223.744 -> 13223.74, the whole period lies before today.
    assert added["candidate"]["valueForecast"] == "13223.74"
    assert added["candidate"]["valueActual"] == "13223.74"
    assert added["candidate"]["municipality"]["name"] == "Eemsdelta"
    assert added["candidate"]["firstName"] == "Testa"
    assert added["candidate"]["redactedFields"] == []
    assert cost["userErrors"] == []
    assert cost["cost"]["amount"] == "1250.00"
    # 13223.74 + 1250.00 = 14473.74 of 100000.00 is 14.47 %, rounded to 14.5.
    assert cost["project"]["progress"] == {
        "actual": "14473.74",
        "forecast": "14473.74",
        "actualPercentage": "14.5",
        "forecastPercentage": "14.5",
    }


async def test_future_candidate_counts_in_forecast(
    as_user: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")
    today = today_in_amsterdam()
    start = date(today.year + 1, 1, 1)
    end = date(today.year + 1, 12, 31)

    data = await contractor.data(
        ADD_CANDIDATE,
        {
            "input": candidate_input(
                fresh_project,
                residence,
                firstName="Toekomst",
                startDate=start.isoformat(),
                endDate=end.isoformat(),
                hoursPerWeek="36",
                buildingBlockId=block_id(fresh_project, "banenafspraak"),
            )
        },
    )
    payload = data["addCandidate"]

    assert payload["userErrors"] == []
    assert payload["candidate"]["valueActual"] == "0.00"
    days = (end - start).days + 1
    # banenafspraak: 50,000 a year, full time, no cap.
    expected = (Decimal(50000) * days / 365).quantize(Decimal("0.01"))
    assert payload["candidate"]["valueForecast"] == str(expected)


async def test_masked_for_contracting_authority(
    as_user: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")
    await contractor.data(
        ADD_CANDIDATE,
        {
            "input": candidate_input(
                fresh_project, residence, firstName="Geheim", note="Kanarie-notitie"
            )
        },
    )
    authority = await as_user(AUTHORITY_EMAIL)

    body = await authority.post(
        """query($id: ID!) { project(id: $id) { candidates { edges { node {
            firstName lastName dateOfBirth residence { name } hourlyWage note
            municipality { name } valueForecast redactedFields } } } } }""",
        {"id": fresh_project["id"]},
    )

    node = body["data"]["project"]["candidates"]["edges"][0]["node"]
    assert "Geheim" not in str(body)
    assert "Kanarie" not in str(body)
    assert node["firstName"] is None
    assert node["dateOfBirth"] is None
    assert node["residence"] is None
    assert node["hourlyWage"] is None
    assert node["municipality"]["name"] == "Eemsdelta"
    assert set(node["redactedFields"]) == {
        "firstName",
        "nameInfix",
        "lastName",
        "dateOfBirth",
        "residence",
        "hourlyWage",
        "note",
    }


async def _counts(sessionmaker: Any, project_global_id: str) -> tuple[int, int]:
    from srm.schema.relay import from_global_id

    decoded = from_global_id(project_global_id)
    assert decoded is not None
    async with sessionmaker() as session:
        candidates = (
            await session.exec(
                sa.select(sa.func.count()).where(Candidate.project_id == decoded[1])
            )
        ).scalar_one()
        costs = (
            await session.exec(
                sa.select(sa.func.count()).where(Cost.project_id == decoded[1])
            )
        ).scalar_one()
    return candidates, costs


CANDIDATE_PROBLEMS = [
    (
        "end_before_start",
        {"startDate": "2025-06-01", "endDate": "2025-05-01"},
        "endDate",
        "END_BEFORE_START",
    ),
    (
        "missing_declaration",
        {"declaredTruthful": False},
        "declaredTruthful",
        "DECLARATION_REQUIRED",
    ),
    (
        "unknown_residence",
        {
            "residenceId": "UmVzaWRlbmNlOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA=="
        },
        "residenceId",
        "NOT_FOUND",
    ),
    ("residence_garbage", {"residenceId": "not-an-id"}, "residenceId", "NOT_FOUND"),
    ("hours_zero", {"hoursPerWeek": "0"}, "hoursPerWeek", "NOT_POSITIVE"),
    ("hours_over_60", {"hoursPerWeek": "61"}, "hoursPerWeek", "OUT_OF_RANGE"),
    (
        "wage_three_decimals",
        {"hourlyWage": "15.505"},
        "hourlyWage",
        "TOO_MANY_DECIMALS",
    ),
    ("wage_negative", {"hourlyWage": "-1.00"}, "hourlyWage", "NOT_POSITIVE"),
    ("blank_first_name", {"firstName": "  "}, "firstName", "REQUIRED"),
    ("unknown_bonus", {"bonusCodes": ["geen_bonus"]}, "bonusCodes", "NOT_IN_POLICY"),
    (
        "outside_project",
        {"startDate": "2020-01-01", "endDate": "2020-12-31"},
        "startDate",
        "OUTSIDE_PROJECT_PERIOD",
    ),
    ("too_young", {"dateOfBirth": "2020-01-01"}, "dateOfBirth", "OUT_OF_RANGE"),
]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [case[1:] for case in CANDIDATE_PROBLEMS],
    ids=[case[0] for case in CANDIDATE_PROBLEMS],
)
async def test_candidate_rejected(
    as_user: Any,
    sessionmaker: Any,
    fresh_project: dict[str, Any],
    changes: dict[str, Any],
    field: str,
    code: str,
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")

    data = await contractor.data(
        ADD_CANDIDATE, {"input": candidate_input(fresh_project, residence, **changes)}
    )

    payload = data["addCandidate"]
    assert payload["candidate"] is None
    assert {"field": ["input", field], "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in payload["userErrors"]
    ], payload["userErrors"]
    assert await _counts(sessionmaker, fresh_project["id"]) == (0, 0)


async def test_block_of_other_policy_rejected(
    as_user: Any, sessionmaker: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")
    policies = (await contractor.data("{ policies { code buildingBlocks { id } } }"))[
        "policies"
    ]
    utrecht_block = next(p for p in policies if p["code"] == "utrecht-2024")[
        "buildingBlocks"
    ][0]["id"]

    data = await contractor.data(
        ADD_CANDIDATE,
        {
            "input": candidate_input(
                fresh_project, residence, buildingBlockId=utrecht_block
            )
        },
    )

    errors = data["addCandidate"]["userErrors"]
    assert [e["code"] for e in errors] == ["NOT_IN_POLICY"]
    assert errors[0]["field"] == ["input", "buildingBlockId"]
    assert await _counts(sessionmaker, fresh_project["id"]) == (0, 0)


async def test_same_person_overlap_rejected(
    as_user: Any, sessionmaker: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")
    first = await contractor.data(
        ADD_CANDIDATE, {"input": candidate_input(fresh_project, residence)}
    )
    assert first["addCandidate"]["userErrors"] == []

    # Same person written differently (case, spaces, accents), overlapping by one day.
    second = await contractor.data(
        ADD_CANDIDATE,
        {
            "input": candidate_input(
                fresh_project,
                residence,
                firstName=" TESTÁ ",
                lastName="voorbeeldhof",
                startDate="2025-06-30",
                endDate="2025-12-31",
            )
        },
    )
    after = await contractor.data(
        ADD_CANDIDATE,
        {
            "input": candidate_input(
                fresh_project, residence, startDate="2025-07-01", endDate="2025-12-31"
            )
        },
    )

    assert [e["code"] for e in second["addCandidate"]["userErrors"]] == [
        "DUPLICATE_PERSON"
    ]
    assert after["addCandidate"]["userErrors"] == []
    assert await _counts(sessionmaker, fresh_project["id"]) == (2, 0)


COST_PROBLEMS = [
    ("negative_amount", {"amount": "-5.00"}, "amount", "NOT_POSITIVE"),
    ("three_decimals", {"amount": "10.123"}, "amount", "TOO_MANY_DECIMALS"),
    ("number_three_decimals", {"amount": 10.125}, "amount", "TOO_MANY_DECIMALS"),
    ("missing_amount", {"amount": None}, "amount", "REQUIRED"),
    ("blank_description", {"description": " "}, "description", "REQUIRED"),
    (
        "missing_declaration",
        {"declaredTruthful": False},
        "declaredTruthful",
        "DECLARATION_REQUIRED",
    ),
    (
        "unknown_category",
        {
            "categoryId": "Q29zdENhdGVnb3J5OjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA=="
        },
        "categoryId",
        "NOT_IN_POLICY",
    ),
]


@pytest.mark.parametrize(
    ("changes", "field", "code"),
    [case[1:] for case in COST_PROBLEMS],
    ids=[case[0] for case in COST_PROBLEMS],
)
async def test_cost_rejected(
    as_user: Any,
    sessionmaker: Any,
    fresh_project: dict[str, Any],
    changes: dict[str, Any],
    field: str,
    code: str,
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    values = {
        "projectId": fresh_project["id"],
        "description": "Werkkleding",
        "date": "2025-02-01",
        "amount": "99.95",
        "declaredTruthful": True,
    }
    values.update(changes)

    data = await contractor.data(ADD_COST, {"input": values})

    payload = data["addCost"]
    assert payload["cost"] is None
    assert {"field": ["input", field], "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in payload["userErrors"]
    ], payload["userErrors"]
    assert await _counts(sessionmaker, fresh_project["id"]) == (0, 0)


async def test_cost_description_warns_personal_data(
    as_user: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")
    await contractor.data(
        ADD_CANDIDATE, {"input": candidate_input(fresh_project, residence)}
    )

    data = await contractor.data(
        ADD_COST,
        {
            "input": {
                "projectId": fresh_project["id"],
                "description": "Cursus voor Voorbeeldhof, geboren 17-05-1990",
                "date": "2025-02-01",
                "amount": "300.00",
                "declaredTruthful": True,
            }
        },
    )

    payload = data["addCost"]
    assert payload["userErrors"] == []
    messages = " ".join(w["message"] for w in payload["warnings"])
    assert "candidate's name" in messages
    assert "date of birth" in messages


async def test_other_organisation_project_not_found(
    as_user: Any, fresh_project: dict[str, Any], sessionmaker: Any
) -> None:
    other = await as_user(OTHER_CONTRACTOR_EMAIL)

    cost = await other.post(
        ADD_COST,
        {
            "input": {
                "projectId": fresh_project["id"],
                "description": "Poging",
                "date": "2025-02-01",
                "amount": "10.00",
                "declaredTruthful": True,
            }
        },
    )
    read = await other.post(
        "query($id: ID!) { project(id: $id) { name } }", {"id": fresh_project["id"]}
    )
    node = await other.post(
        "query($id: ID!) { node(id: $id) { id } }", {"id": fresh_project["id"]}
    )

    assert cost["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert read["data"]["project"] is None
    assert node["data"]["node"] is None
    assert await _counts(sessionmaker, fresh_project["id"]) == (0, 0)


async def test_authority_may_not_add_cost(
    as_user: Any, fresh_project: dict[str, Any]
) -> None:
    authority = await as_user(AUTHORITY_EMAIL)

    body = await authority.post(
        ADD_COST,
        {
            "input": {
                "projectId": fresh_project["id"],
                "description": "Poging",
                "date": "2025-02-01",
                "amount": "10.00",
                "declaredTruthful": True,
            }
        },
    )

    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"


async def test_update_and_delete_entries(
    as_user: Any, sessionmaker: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")
    added = (
        await contractor.data(
            ADD_CANDIDATE, {"input": candidate_input(fresh_project, residence)}
        )
    )["addCandidate"]["candidate"]

    updated = await contractor.data(
        """mutation($input: UpdateCandidateInput!) { updateCandidate(input: $input) {
            candidate { hoursPerWeek valueForecast } userErrors { code } } }""",
        {"input": {"id": added["id"], "hoursPerWeek": "36", "declaredTruthful": True}},
    )
    rejected = await contractor.data(
        """mutation($input: UpdateCandidateInput!) { updateCandidate(input: $input) {
            candidate { id } userErrors { field code } } }""",
        {
            "input": {
                "id": added["id"],
                "endDate": "2024-01-01",
                "declaredTruthful": True,
            }
        },
    )
    deleted = await contractor.data(
        """mutation($input: DeleteEntryInput!) { deleteEntry(input: $input) {
            deletedId project { progress { forecast } } userErrors { code } } }""",
        {"input": {"id": added["id"]}},
    )

    # Full time: 40000 * 181/365 = 19835.616 -> 19835.62.
    assert updated["updateCandidate"]["candidate"]["valueForecast"] == "19835.62"
    assert [e["code"] for e in rejected["updateCandidate"]["userErrors"]] == [
        "END_BEFORE_START"
    ]
    assert deleted["deleteEntry"]["deletedId"] == added["id"]
    assert deleted["deleteEntry"]["project"]["progress"]["forecast"] == "0.00"
    assert await _counts(sessionmaker, fresh_project["id"]) == (0, 0)


async def test_validated_entry_locked(
    as_user: Any, sessionmaker: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    cost = (
        await contractor.data(
            ADD_COST,
            {
                "input": {
                    "projectId": fresh_project["id"],
                    "description": "Werkkleding",
                    "date": "2025-02-01",
                    "amount": "99.95",
                    "declaredTruthful": True,
                }
            },
        )
    )["addCost"]["cost"]
    from srm.schema.relay import from_global_id

    decoded = from_global_id(cost["id"])
    assert decoded is not None
    async with sessionmaker.begin() as session:
        await session.exec(
            sa.update(Cost)
            .where(Cost.id == decoded[1])
            .values(validated_at=sa.func.now())
        )

    changed = await contractor.data(
        """mutation($input: UpdateCostInput!) { updateCost(input: $input) { userErrors { code } } }""",
        {"input": {"id": cost["id"], "amount": "1.00", "declaredTruthful": True}},
    )
    deleted = await contractor.data(
        """mutation($input: DeleteEntryInput!) { deleteEntry(input: $input) { userErrors { code } } }""",
        {"input": {"id": cost["id"]}},
    )

    assert [e["code"] for e in changed["updateCost"]["userErrors"]] == [
        "VALIDATED_ENTRY_LOCKED"
    ]
    assert [e["code"] for e in deleted["deleteEntry"]["userErrors"]] == [
        "VALIDATED_ENTRY_LOCKED"
    ]
    assert await _counts(sessionmaker, fresh_project["id"]) == (0, 1)


async def test_create_project_rejects_bad_input(
    as_user: Any, sessionmaker: Any
) -> None:
    authority = await as_user(AUTHORITY_EMAIL)
    setup = await authority.data(SETUP_QUERY)
    authority_org = await organisation_of(sessionmaker, AUTHORITY_EMAIL)
    async with sessionmaker() as session:
        before = (
            await session.exec(sa.select(sa.func.count()).select_from(Project))
        ).scalar_one()

    data = await authority.data(
        CREATE_PROJECT,
        {
            "input": {
                "name": "Fout project",
                "contractorId": str(authority_org.id),
                "regionId": setup["regions"][0]["id"],
                "policyId": setup["policies"][0]["id"],
                "startDate": "2026-05-01",
                "endDate": "2026-04-01",
                "agreementType": "OBLIGATION",
                "obligationAmount": "-1.00",
            }
        },
    )

    codes = {(e["field"][-1], e["code"]) for e in data["createProject"]["userErrors"]}
    assert ("endDate", "END_BEFORE_START") in codes
    assert ("obligationAmount", "NOT_POSITIVE") in codes
    assert ("contractorId", "NOT_FOUND") in codes
    async with sessionmaker() as session:
        after = (
            await session.exec(sa.select(sa.func.count()).select_from(Project))
        ).scalar_one()
    assert after == before


async def test_residence_search_returns_every_option(as_user: Any) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)

    data = await contractor.data(RESIDENCES, {"search": "Nes"})

    municipalities = {
        r["municipality"]["name"] for r in data["residences"] if r["name"] == "Nes"
    }
    assert len(municipalities) >= 2
