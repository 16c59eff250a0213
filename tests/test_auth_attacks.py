"""Attacks on login and sessions, each as a test that must be refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from redis.asyncio import Redis

from srm.demo import demo_password
from srm.models import AccountToken, Session, User
from srm.services import auth as auth_service
from srm.services.auth import token_hash
from tests.conftest import GraphQLClient, ServerUrls, open_session

LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { challenge userErrors { code } }
}
"""
TARGET = "sanne.schoon@demo.srm.example"


async def guess(anonymous: GraphQLClient, email: str, password: str) -> dict[str, Any]:
    return await anonymous.post(LOGIN, {"email": email, "password": password})


def rate_limited(body: dict[str, Any]) -> bool:
    return any(
        e["extensions"]["code"] == "RATE_LIMITED" for e in body.get("errors") or []
    )


async def test_thousand_aliased_guesses(anonymous: GraphQLClient) -> None:
    aliases = " ".join(
        f'g{i}: login(input: {{email: "{TARGET}", password: "guess-{i}"}}) {{ challenge }}'
        for i in range(1000)
    )

    body = await anonymous.post(f"mutation {{ {aliases} }}")
    later = [await guess(anonymous, TARGET, f"later-{i}") for i in range(4)]

    assert body.get("data") is None
    assert body["errors"][0]["extensions"]["code"] in ("BAD_REQUEST", "RATE_LIMITED")
    # At most one of the thousand was tried, so four more stay under the limit of five.
    assert not any(rate_limited(answer) for answer in later)


async def test_thousand_batched_guesses(client: Any, anonymous: GraphQLClient) -> None:
    batch = [
        {"query": LOGIN, "variables": {"email": TARGET, "password": f"guess-{i}"}}
        for i in range(1000)
    ]

    response = await client.post("/graphql", json=batch)
    later = [await guess(anonymous, TARGET, f"later-{i}") for i in range(4)]

    assert response.status_code == 400
    assert not any(rate_limited(answer) for answer in later)


async def test_lockout_grows(
    anonymous: GraphQLClient, test_servers: ServerUrls
) -> None:
    redis = Redis.from_url(test_servers.redis_url)
    account_key = "srm:login-lock:account:" + auth_service._email_key(TARGET)

    for attempt in range(5):
        await guess(anonymous, TARGET, f"wrong-{attempt}")
    first_lock = await redis.ttl(account_key)
    # Let the first lock-out pass, then fail five times again.
    await redis.delete(account_key)
    for attempt in range(5):
        await guess(anonymous, TARGET, f"again-{attempt}")
    second_lock = await redis.ttl(account_key)
    await redis.aclose()

    assert 0 < first_lock <= auth_service.LOCKOUT_BASE_SECONDS
    assert (
        auth_service.LOCKOUT_BASE_SECONDS
        < second_lock
        <= 2 * auth_service.LOCKOUT_BASE_SECONDS
    )


async def test_address_limit_across_accounts(
    anonymous: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth_service, "MAX_FAILURES_PER_ADDRESS", 3)
    accounts = [
        "gerrit.groen@demo.srm.example",
        "ivo.informatica@demo.srm.example",
        TARGET,
    ]

    answers = [await guess(anonymous, email, "wrong-password") for email in accounts]
    blocked = await guess(anonymous, "bea.bouwer@demo.srm.example", "wrong-password")

    assert not any(rate_limited(answer) for answer in answers)
    assert rate_limited(blocked)


async def test_unknown_address_same_work(
    anonymous: GraphQLClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real_hasher = auth_service.password_hasher

    class CountingHasher:
        """Passes every call to the real hasher and records each verification."""

        def verify(self, stored: str, password: str) -> bool:
            calls.append(stored[:9])
            return real_hasher.verify(stored, password)

        def __getattr__(self, name: str) -> Any:
            return getattr(real_hasher, name)

    monkeypatch.setattr(auth_service, "password_hasher", CountingHasher())

    known = await guess(anonymous, TARGET, "not-the-password")
    known_calls = list(calls)
    calls.clear()
    unknown = await guess(
        anonymous, "niemand.bekend@demo.srm.example", "not-the-password"
    )

    assert known == unknown
    # One argon2id verification in both cases, so the response time does not tell.
    assert known_calls == ["$argon2id"]
    assert calls == ["$argon2id"]


async def test_hash_upgraded_on_login(
    anonymous: GraphQLClient, sessionmaker: Any
) -> None:
    address = "gerrit.groen@demo.srm.example"
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(
        demo_password(address)
    )
    async with sessionmaker.begin() as session:
        await session.exec(
            sa.update(User).where(User.email == address).values(password_hash=weak)
        )

    answer = await guess(anonymous, address, demo_password(address))

    async with sessionmaker() as session:
        stored = (
            await session.exec(
                sa.select(User.password_hash).where(User.email == address)
            )
        ).scalar_one()
    assert answer["data"]["login"]["challenge"]
    assert stored != weak
    assert not auth_service.password_hasher.check_needs_rehash(stored)


@pytest.mark.parametrize("expiry", ["idle", "absolute"])
async def test_session_expires(client: Any, sessionmaker: Any, expiry: str) -> None:
    address = "gerrit.groen@demo.srm.example"
    token = await open_session(sessionmaker, address)
    past = datetime.now(tz=UTC) - timedelta(minutes=31)
    values = (
        {"last_seen_at": past}
        if expiry == "idle"
        else {"expires_at": datetime.now(tz=UTC)}
    )
    async with sessionmaker.begin() as session:
        await session.exec(
            sa.update(Session)
            .where(Session.token_hash == token_hash(token))
            .values(**values)
        )

    body = await GraphQLClient(client, token).post("{ projects { totalCount } }")

    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_expired_reset_token_rejected(
    anonymous: GraphQLClient, sessionmaker: Any
) -> None:
    import secrets

    token = secrets.token_urlsafe(32)
    async with sessionmaker.begin() as session:
        user_id = (
            await session.exec(sa.select(User.id).where(User.email == TARGET))
        ).scalar_one()
        session.add(
            AccountToken(
                user_id=user_id,
                purpose="PASSWORD_RESET",
                token_hash=token_hash(token),
                expires_at=datetime.now(tz=UTC) - timedelta(seconds=1),
            )
        )

    body = await anonymous.data(
        """mutation($t: String!) { resetPassword(input: {token: $t, password: "Nieuw-lang-wachtwoord-9"}) {
            success userErrors { code } } }""",
        {"t": token},
    )

    assert body["resetPassword"]["success"] is False
    assert [e["code"] for e in body["resetPassword"]["userErrors"]] == ["TOKEN_INVALID"]


async def test_token_guessing_limited(anonymous: GraphQLClient) -> None:
    answers = []
    for attempt in range(21):
        answers.append(
            await anonymous.post(
                """mutation($t: String!) { activateAccount(input: {token: $t,
                    password: "Nieuw-lang-wachtwoord-9"}) { challenge userErrors { code } } }""",
                {"t": f"geraden-token-{attempt}"},
            )
        )

    assert not any(rate_limited(answer) for answer in answers[:20])
    assert rate_limited(answers[20])
