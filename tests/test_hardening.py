"""Hostile and odd input: every case gets a clear error, none a 500 or a leak."""

from __future__ import annotations

import base64
import logging
from typing import Any

import pytest

from tests.conftest import CONTRACTOR_EMAIL
from tests.project_fixtures import (
    ADD_CANDIDATE,
    ADD_COST,
    candidate_input,
    residence_id,
)

SECRET_PASSWORD = "Geheim-wachtwoord-42"


def cost_input(project: dict[str, Any], **changes: Any) -> dict[str, Any]:
    values = {
        "projectId": project["id"],
        "description": "Werkkleding",
        "date": "2025-02-01",
        "amount": "10.00",
        "declaredTruthful": True,
    }
    values.update(changes)
    return values


async def test_large_costs_keep_progress_readable(
    as_user: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)

    answers = [
        await contractor.data(
            ADD_COST, {"input": cost_input(fresh_project, amount="1000000000.00")}
        )
        for _ in range(3)
    ]
    too_large = await contractor.data(
        ADD_COST, {"input": cost_input(fresh_project, amount="1000000000.01")}
    )

    assert answers[-1]["addCost"]["project"]["progress"]["forecast"] == "3000000000.00"
    assert [e["code"] for e in too_large["addCost"]["userErrors"]] == ["OUT_OF_RANGE"]


async def test_cost_outside_project_period(
    as_user: Any, fresh_project: dict[str, Any]
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)

    data = await contractor.data(
        ADD_COST, {"input": cost_input(fresh_project, date="1990-01-01")}
    )

    assert [e["code"] for e in data["addCost"]["userErrors"]] == [
        "OUTSIDE_PROJECT_PERIOD"
    ]


@pytest.mark.parametrize(
    "amount", ["1_000.00", "\u0661\u0662\u0663", "1e3", "NaN", "12,50"]
)
async def test_decimal_text_rejected(
    as_user: Any,
    fresh_project: dict[str, Any],
    amount: str,
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)

    body = await contractor.post(
        ADD_COST, {"input": cost_input(fresh_project, amount=amount)}
    )

    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_variable_errors_not_logged(
    anonymous: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)

    body = await anonymous.post(
        "mutation($i: LoginInput!) { login(input: $i) { challenge } }",
        {
            "i": {
                "email": "x@demo.srm.example",
                "password": SECRET_PASSWORD,
                "remember": True,
            }
        },
    )

    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert SECRET_PASSWORD not in caplog.text


async def test_candidate_variable_errors_not_logged(
    as_user: Any,
    fresh_project: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    contractor = await as_user(CONTRACTOR_EMAIL)
    values = candidate_input(
        fresh_project, "x", firstName="Verborgenvoornaam", educationLevel="PHD"
    )

    body = await contractor.post(ADD_CANDIDATE, {"input": values})

    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert "Verborgenvoornaam" not in caplog.text


async def test_nul_character_rejected(client: Any) -> None:
    response = await client.post(
        "/graphql",
        content=b'{"query": "{ residences(search: \\"Ab\\u0000c\\") { id } }"}',
        headers={"content-type": "application/json"},
    )

    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_oversized_request_rejected(client: Any) -> None:
    response = await client.post(
        "/graphql",
        json={
            "query": "{ viewer { role } }",
            "variables": {"padding": "x" * (3 * 1024 * 1024)},
        },
    )

    assert response.status_code == 413


@pytest.mark.parametrize(
    "arguments",
    [
        'first: 2, after: "{}"'.format(
            base64.urlsafe_b64encode(b"offset:9223372036854775807").decode()
        ),
        "first: 2, last: 2",
        'filter: {obligationAmount: {from: "1e400"}}',
        'filter: {obligationAmount: {from: "99999999999999999"}}',
    ],
    ids=["huge_cursor", "first_and_last", "exponent_amount", "huge_amount"],
)
async def test_project_list_bad_arguments(as_user: Any, arguments: str) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)

    body = await contractor.post(f"{{ projects({arguments}) {{ totalCount }} }}")

    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_access_log_omits_query_string(
    client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="srm.access")

    await client.get(
        "/graphql",
        params={"query": f"{{ viewer {{ role }} }} # {SECRET_PASSWORD}"},
        headers={"accept": "application/json"},
    )

    assert "GET /graphql" in caplog.text
    assert SECRET_PASSWORD not in caplog.text


async def test_project_dates_plausible(as_user: Any) -> None:
    from tests.conftest import AUTHORITY_EMAIL

    authority = await as_user(AUTHORITY_EMAIL)

    data = await authority.data(
        """mutation { createProject(input: {name: "Eeuwig", contractorId: "x", regionId: "x",
            policyId: "x", startDate: "0001-01-01", endDate: "9999-12-31",
            agreementType: BEST_EFFORT}) { userErrors { field code } } }"""
    )

    codes = {(e["field"][-1], e["code"]) for e in data["createProject"]["userErrors"]}
    assert ("startDate", "OUT_OF_RANGE") in codes
    assert ("endDate", "OUT_OF_RANGE") in codes


async def test_unexpected_error_internal_logged_once(
    as_user: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import srm.resolvers.reference as reference

    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("SELECT * FROM residence -- geheime details")

    monkeypatch.setattr(reference, "search_residences", broken)
    caplog.set_level(logging.INFO)
    contractor = await as_user(CONTRACTOR_EMAIL)

    body = await contractor.post('{ residences(search: "Nes") { id } }')

    error = body["errors"][0]
    request_id = error["extensions"]["requestId"]
    assert error["extensions"]["code"] == "INTERNAL"
    assert "SELECT" not in str(body)
    assert "Traceback" not in str(body)
    logged = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(logged) == 1
    assert request_id in logged[0].getMessage()


@pytest.mark.parametrize(
    "document",
    [
        '{ residences(search: "Zuid\\u{0}laren") { id } }',
        '{ residences(search: "Zuid\\u0000laren") { id } }',
    ],
    ids=["braced_escape", "plain_escape"],
)
async def test_nul_in_query_text_rejected(as_user: Any, document: str) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)

    body = await contractor.post(document)

    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


async def test_nul_in_get_query_rejected(client: Any) -> None:
    response = await client.get(
        "/graphql",
        params={"query": '{ residences(search: "a\\u0000b") { id } }'},
        headers={"accept": "application/json"},
    )

    assert response.status_code == 400


@pytest.mark.parametrize(
    "first_name",
    [
        "Tes\u200bta",
        "T\u0435un",
        "Teun\u3164",
        "Teun\u2800",
        "Te\u034fun",
        "Teun\ufe0f",
        "Teun\nZwart",
        "\u200b\u200b",
    ],
    ids=[
        "zero_width_space",
        "cyrillic_e",
        "hangul_filler",
        "braille_blank",
        "grapheme_joiner",
        "variation_selector",
        "newline",
        "only_invisible",
    ],
)
async def test_candidate_name_characters(
    as_user: Any, fresh_project: dict[str, Any], first_name: str
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    residence = await residence_id(contractor, "Appingedam")

    data = await contractor.data(
        ADD_CANDIDATE,
        {"input": candidate_input(fresh_project, residence, firstName=first_name)},
    )

    assert [
        (e["field"][-1], e["code"]) for e in data["addCandidate"]["userErrors"]
    ] == [("firstName", "INVALID")]
