"""Login in two steps, sessions and the protections around them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest

from srm.demo import demo_password, demo_totp_secret
from tests.conftest import CONTRACTOR_EMAIL, GraphQLClient

LOGIN = """
mutation Login($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) {
    challenge totpSetupRequired userErrors { field code message }
  }
}
"""

VERIFY = """
mutation Verify($challenge: String!, $code: String!) {
  verifyTotp(input: {challenge: $challenge, code: $code}) {
    token viewer { role user { email } organisation { name } } userErrors { field code }
  }
}
"""

LOGIN_EMAIL = "bea.bouwer@demo.srm.example"


def code_at(secret: str, offset_steps: int) -> str:
    moment = datetime.now(tz=UTC) + timedelta(seconds=30 * offset_steps)
    return pyotp.TOTP(secret).at(moment)


async def login_challenge(anonymous: GraphQLClient, email: str) -> str:
    data = await anonymous.data(
        LOGIN, {"email": email, "password": demo_password(email)}
    )
    assert data["login"]["userErrors"] == []
    return data["login"]["challenge"]  # type: ignore[no-any-return]


async def test_login_then_query(anonymous: GraphQLClient, client: Any) -> None:
    challenge = await login_challenge(anonymous, LOGIN_EMAIL)

    data = await anonymous.data(
        VERIFY,
        {"challenge": challenge, "code": code_at(demo_totp_secret(LOGIN_EMAIL), -1)},
    )
    token = data["verifyTotp"]["token"]
    viewer = await GraphQLClient(client, token).data(
        "{ viewer { role user { email } } }"
    )

    assert data["verifyTotp"]["userErrors"] == []
    assert data["verifyTotp"]["viewer"]["role"] == "CONTRACTOR"
    assert viewer["viewer"]["user"]["email"] == LOGIN_EMAIL


async def test_totp_code_replay_rejected(anonymous: GraphQLClient) -> None:
    secret = demo_totp_secret(LOGIN_EMAIL)
    code = code_at(secret, 0)
    first = await anonymous.data(
        VERIFY,
        {"challenge": await login_challenge(anonymous, LOGIN_EMAIL), "code": code},
    )

    replay = await anonymous.data(
        VERIFY,
        {"challenge": await login_challenge(anonymous, LOGIN_EMAIL), "code": code},
    )

    assert first["verifyTotp"]["token"]
    assert replay["verifyTotp"]["token"] is None
    assert [e["code"] for e in replay["verifyTotp"]["userErrors"]] == ["INVALID_CODE"]


async def test_wrong_code_rejected(anonymous: GraphQLClient) -> None:
    challenge = await login_challenge(anonymous, CONTRACTOR_EMAIL)
    right = code_at(demo_totp_secret(CONTRACTOR_EMAIL), 0)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"

    data = await anonymous.data(VERIFY, {"challenge": challenge, "code": wrong})

    assert data["verifyTotp"]["token"] is None
    assert [e["code"] for e in data["verifyTotp"]["userErrors"]] == ["INVALID_CODE"]


async def test_unknown_challenge_rejected(anonymous: GraphQLClient) -> None:
    data = await anonymous.data(VERIFY, {"challenge": "made-up", "code": "123456"})

    assert [e["code"] for e in data["verifyTotp"]["userErrors"]] == [
        "CHALLENGE_EXPIRED"
    ]


async def test_unknown_email_same_answer(anonymous: GraphQLClient) -> None:
    unknown = await anonymous.data(
        LOGIN, {"email": "niemand@demo.srm.example", "password": "x" * 12}
    )
    wrong = await anonymous.data(
        LOGIN, {"email": CONTRACTOR_EMAIL, "password": "x" * 12}
    )

    assert unknown == wrong
    assert unknown["login"]["challenge"] is None


async def test_password_guesses_locked_out(anonymous: GraphQLClient) -> None:
    answers = []
    for attempt in range(7):
        body = await anonymous.post(
            LOGIN, {"email": CONTRACTOR_EMAIL, "password": f"guess-{attempt}"}
        )
        answers.append(body)

    right = await anonymous.post(
        LOGIN, {"email": CONTRACTOR_EMAIL, "password": demo_password(CONTRACTOR_EMAIL)}
    )

    assert all("errors" not in a for a in answers[:5])
    assert answers[5]["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert right["errors"][0]["extensions"]["code"] == "RATE_LIMITED"


async def test_aliased_guesses_one_counted(anonymous: GraphQLClient) -> None:
    aliases = " ".join(
        f'a{i}: login(input: {{email: "{CONTRACTOR_EMAIL}", password: "guess-{i}"}}) {{ challenge }}'
        for i in range(25)
    )

    body = await anonymous.post(f"mutation {{ {aliases} }}")
    later = []
    for attempt in range(4):
        later.append(
            await anonymous.post(
                LOGIN, {"email": CONTRACTOR_EMAIL, "password": f"later-{attempt}"}
            )
        )

    assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert body["data"] is None
    # The aliased request counted one failed guess, so four more stay within the limit of five.
    assert all("errors" not in answer for answer in later)


async def test_batched_request_rejected(client: Any) -> None:
    batch = [
        {
            "query": LOGIN,
            "variables": {"email": CONTRACTOR_EMAIL, "password": f"guess-{i}"},
        }
        for i in range(10)
    ]

    response = await client.post("/graphql", json=batch)

    assert response.status_code == 400


async def test_logout_revokes_token(as_user: Any) -> None:
    user = await as_user(CONTRACTOR_EMAIL)
    await user.data("mutation { logout { success } }")

    body = await user.post("{ viewer { role } projects { totalCount } }")

    assert body["data"] is None or body["data"].get("viewer") is None
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


@pytest.mark.parametrize("header", ["Bearer nonsense", "Basic abc", "Bearer "])
async def test_bad_token_unauthenticated(client: Any, header: str) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ projects { totalCount } }"},
        headers={"Authorization": header},
    )

    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_viewer_null_without_login(anonymous: GraphQLClient) -> None:
    data = await anonymous.data("{ viewer { role } }")

    assert data["viewer"] is None
