"""Log in as a demo contractor, add a candidate and a cost, and print the progress.

Run against a server started with scripts/serve:

    .venv/bin/python scripts/demo_session.py [http://127.0.0.1:8000/graphql]

It reads the demo accounts with ``srm demo-accounts --json``, so run it from
the repository folder with the same SRM_ settings as the server.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import httpx
import pyotp

URL = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/graphql"


def call(
    query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = httpx.post(
        URL, json={"query": query, "variables": variables or {}}, headers=headers
    )
    body = response.json()
    if body.get("errors"):
        raise SystemExit(f"GraphQL error: {body['errors']}")
    return body["data"]


def main() -> None:
    accounts = json.loads(
        subprocess.run(
            [sys.executable, "-m", "srm.cli", "demo-accounts", "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    account = next(a for a in accounts if a["role"] == "CONTRACTOR")
    print(f"logging in as {account['email']}")

    login = call(
        "mutation($e: String!, $p: String!) { login(input: {email: $e, password: $p}) "
        "{ challenge userErrors { code message } } }",
        {"e": account["email"], "p": account["password"]},
    )["login"]
    verified = call(
        "mutation($c: String!, $code: String!) { verifyTotp(input: {challenge: $c, code: $code}) "
        "{ token userErrors { code message } } }",
        {"c": login["challenge"], "code": pyotp.TOTP(account["totpSecret"]).now()},
    )["verifyTotp"]
    token = verified["token"]
    if token is None:
        raise SystemExit(f"login failed: {verified['userErrors']}")

    project = call(
        "{ projects(first: 1, filter: {status: [ACTIVE]}) { edges { node { id name "
        "policy { buildingBlocks { id code } } progress { actual forecast } } } } }",
        token=token,
    )["projects"]["edges"][0]["node"]
    residence = call('{ residences(search: "Appingedam") { id name } }', token=token)[
        "residences"
    ][0]
    print(f"project {project['name']}: before {project['progress']}")

    candidate = call(
        """mutation($input: AddCandidateInput!) { addCandidate(input: $input) {
             candidate { valueActual valueForecast } userErrors { field code message } } }""",
        {
            "input": {
                "projectId": project["id"],
                "firstName": "Demo",
                "lastName": "Scriptkandidaat",
                "dateOfBirth": "1991-03-14",
                "residenceId": residence["id"],
                "jobTitle": "Grondwerker",
                "educationLevel": "MBO_2",
                "buildingBlockId": project["policy"]["buildingBlocks"][0]["id"],
                "targetGroup": "PARTICIPATION_ACT",
                "contractType": "TEMPORARY",
                "startDate": "2026-01-01",
                "endDate": "2026-06-30",
                "hoursPerWeek": "24",
                "declaredTruthful": True,
            }
        },
        token=token,
    )["addCandidate"]
    print("candidate:", candidate)

    cost = call(
        """mutation($input: AddCostInput!) { addCost(input: $input) {
             cost { amount } project { progress { actual forecast actualPercentage forecastPercentage } }
             userErrors { field code message } } }""",
        {
            "input": {
                "projectId": project["id"],
                "description": "Opleiding VCA",
                "date": "2026-02-01",
                "amount": "1250.00",
                "declaredTruthful": True,
            }
        },
        token=token,
    )["addCost"]
    print("cost:", cost)


if __name__ == "__main__":
    main()
