"""Account life cycle end to end, with a real SMTP server and the mail job."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pyotp
import pytest
import sqlalchemy as sa
from arq.worker import Worker

from srm.config import Settings
from srm.demo import demo_password, demo_totp_secret
from srm.models import AccountToken, OutboxMail, User
from srm.schema.relay import to_global_id
from srm.services.auth import hash_password
from tests.conftest import (
    CONTRACTOR_EMAIL,
    COORDINATOR_EMAIL,
    GraphQLClient,
    ServerUrls,
    open_session,
)
from tests.smtp_sink import SmtpSink
from workers.jobs import send_mail
from workers.settings import worker_settings

INVITE = """
mutation($input: InviteUserInput!) {
  inviteUser(input: $input) { user { id email } userErrors { field code message } }
}
"""
ACTIVATE = """
mutation($token: String!, $password: String!) {
  activateAccount(input: {token: $token, password: $password}) {
    challenge userErrors { field code message }
  }
}
"""
START_SETUP = """
mutation($challenge: String!) {
  startTotpSetup(input: {challenge: $challenge}) { secret otpauthUri qrCodeSvg userErrors { code } }
}
"""
CONFIRM_SETUP = """
mutation($challenge: String!, $code: String!) {
  confirmTotpSetup(input: {challenge: $challenge, code: $code}) {
    token viewer { role user { email } } userErrors { field code }
  }
}
"""
LOGIN = """
mutation($email: String!, $password: String!) {
  login(input: {email: $email, password: $password}) { challenge totpSetupRequired userErrors { code } }
}
"""
REQUEST_RESET = """
mutation($email: String!) { requestPasswordReset(input: {email: $email}) { success userErrors { code } } }
"""
RESET = """
mutation($token: String!, $password: String!) {
  resetPassword(input: {token: $token, password: $password}) { success userErrors { field code } }
}
"""
NEW_PASSWORD = "Kwelder-zandpad-2026!"


@pytest.fixture(scope="module")
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def worker_context(
    sessionmaker: Any, settings: Settings, smtp_sink: SmtpSink
) -> dict[str, Any]:
    mail_settings = settings.model_copy(
        update={"smtp_host": smtp_sink.host, "smtp_port": smtp_sink.port}
    )
    return {"sessionmaker": sessionmaker, "settings": mail_settings}


async def deliver_outbox(
    sessionmaker: Any, context: dict[str, Any], address: str
) -> None:
    """Run the mail job for every pending mail to ``address``, as the worker would."""
    async with sessionmaker() as session:
        ids = (
            (
                await session.exec(
                    sa.select(OutboxMail.id).where(
                        OutboxMail.to_address == address, OutboxMail.status == "PENDING"
                    )
                )
            )
            .scalars()
            .all()
        )
    for mail_id in ids:
        await send_mail(context, str(mail_id))


async def add_active_user(sessionmaker: Any, address: str, secret: str) -> None:
    """Add an activated account with a confirmed authenticator to the demo contractor."""
    async with sessionmaker.begin() as session:
        contractor = (
            await session.exec(sa.select(User).where(User.email == CONTRACTOR_EMAIL))
        ).scalar_one()
        session.add(
            User(
                email=address,
                full_name="Tweestaps Herstel",
                organisation_id=contractor.organisation_id,
                role=contractor.role,
                password_hash=hash_password(NEW_PASSWORD),
                totp_secret=secret,
                totp_confirmed=True,
            )
        )


def link_token(message: Any) -> str:
    text = message.get_body(preferencelist=("plain",)).get_content()
    found = re.search(r"token=([A-Za-z0-9_-]+)", text)
    assert found, text
    return found.group(1)


def code_for(secret: str, steps: int = 0) -> str:
    return pyotp.TOTP(secret).at(datetime.now(tz=UTC) + timedelta(seconds=30 * steps))


async def test_invite_activate_login(
    as_user: Any,
    anonymous: GraphQLClient,
    client: Any,
    sessionmaker: Any,
    worker_context: dict[str, Any],
    smtp_sink: SmtpSink,
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    address = "nieuwe.collega@demo.srm.example"

    invited = await contractor.data(
        INVITE, {"input": {"email": address, "fullName": "Nieuwe Collega"}}
    )
    await deliver_outbox(sessionmaker, worker_context, address)
    [welcome] = smtp_sink.messages_to(address)
    token = link_token(welcome)
    activated = await anonymous.data(
        ACTIVATE, {"token": token, "password": NEW_PASSWORD}
    )
    challenge = activated["activateAccount"]["challenge"]
    setup = await anonymous.data(START_SETUP, {"challenge": challenge})
    secret = setup["startTotpSetup"]["secret"]
    before_confirm = await anonymous.data(
        LOGIN, {"email": address, "password": NEW_PASSWORD}
    )
    confirmed = await anonymous.data(
        CONFIRM_SETUP, {"challenge": challenge, "code": code_for(secret)}
    )
    token_of_session = confirmed["confirmTotpSetup"]["token"]
    viewer = await GraphQLClient(client, token_of_session).data(
        "{ viewer { role user { email } } }"
    )
    reused = await anonymous.data(ACTIVATE, {"token": token, "password": NEW_PASSWORD})
    # A normal login afterwards: password, then the next code of the app.
    login = await anonymous.data(LOGIN, {"email": address, "password": NEW_PASSWORD})
    verified = await anonymous.data(
        """mutation($c: String!, $code: String!) { verifyTotp(input: {challenge: $c, code: $code}) {
            token userErrors { code } } }""",
        {"c": login["login"]["challenge"], "code": code_for(secret, 1)},
    )
    projects = await GraphQLClient(client, verified["verifyTotp"]["token"]).data(
        "{ projects { totalCount } }"
    )

    assert invited["inviteUser"]["userErrors"] == []
    assert "account" in welcome["Subject"]
    assert "aangemaakt" in welcome.get_body(preferencelist=("plain",)).get_content()
    assert activated["activateAccount"]["userErrors"] == []
    assert setup["startTotpSetup"]["otpauthUri"].startswith("otpauth://totp/")
    assert secret in setup["startTotpSetup"]["otpauthUri"]
    assert setup["startTotpSetup"]["qrCodeSvg"].lstrip().startswith("<svg")
    assert before_confirm["login"]["totpSetupRequired"] is True
    assert confirmed["confirmTotpSetup"]["userErrors"] == []
    assert viewer["viewer"] == {"role": "CONTRACTOR", "user": {"email": address}}
    assert [e["code"] for e in reused["activateAccount"]["userErrors"]] == [
        "TOKEN_INVALID"
    ]
    assert login["login"]["totpSetupRequired"] is False
    assert verified["verifyTotp"]["userErrors"] == []
    assert projects["projects"]["totalCount"] >= 1


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("kort-1234", "PASSWORD_TOO_SHORT"),
        ("passwordpassword", "PASSWORD_TOO_COMMON"),
        ("Welkom12345678", "PASSWORD_TOO_COMMON"),
        ("zwak.wachtwoord.test@xx", "PASSWORD_CONTAINS_EMAIL"),
    ],
    ids=["short", "common", "dutch_common", "contains_email"],
)
async def test_password_rules(
    as_user: Any,
    anonymous: GraphQLClient,
    sessionmaker: Any,
    worker_context: dict[str, Any],
    smtp_sink: SmtpSink,
    password: str,
    code: str,
) -> None:
    coordinator = await as_user(COORDINATOR_EMAIL)
    address = f"zwak.wachtwoord.{code.lower()}@demo.srm.example"
    await coordinator.data(
        INVITE, {"input": {"email": address, "fullName": "Zwak Wachtwoord"}}
    )
    await deliver_outbox(sessionmaker, worker_context, address)
    token = link_token(smtp_sink.messages_to(address)[-1])
    if code == "PASSWORD_CONTAINS_EMAIL":
        password = f"{address.split('@')[0]}-extra"

    data = await anonymous.data(ACTIVATE, {"token": token, "password": password})

    assert [e["code"] for e in data["activateAccount"]["userErrors"]] == [code]


async def test_expired_activation_rejected(
    as_user: Any,
    anonymous: GraphQLClient,
    sessionmaker: Any,
    worker_context: dict[str, Any],
    smtp_sink: SmtpSink,
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    address = "verlopen.link@demo.srm.example"
    await contractor.data(
        INVITE, {"input": {"email": address, "fullName": "Verlopen Link"}}
    )
    await deliver_outbox(sessionmaker, worker_context, address)
    token = link_token(smtp_sink.messages_to(address)[-1])
    async with sessionmaker.begin() as session:
        await session.exec(
            sa.update(AccountToken)
            .where(
                AccountToken.user_id
                == sa.select(User.id).where(User.email == address).scalar_subquery()
            )
            .values(expires_at=datetime.now(tz=UTC) - timedelta(seconds=1))
        )

    data = await anonymous.data(ACTIVATE, {"token": token, "password": NEW_PASSWORD})

    assert [e["code"] for e in data["activateAccount"]["userErrors"]] == [
        "TOKEN_INVALID"
    ]


async def test_password_reset_flow(
    anonymous: GraphQLClient,
    client: Any,
    sessionmaker: Any,
    worker_context: dict[str, Any],
    smtp_sink: SmtpSink,
    database_url: str,
    test_servers: ServerUrls,
) -> None:
    address = "sanne.schoon@demo.srm.example"
    old_token = await open_session(sessionmaker, address)

    known = await anonymous.data(REQUEST_RESET, {"email": address})
    unknown = await anonymous.data(
        REQUEST_RESET, {"email": "onbekend@demo.srm.example"}
    )
    # The API queued both requests; a worker writes and sends the one mail.
    worker = Worker(
        **worker_settings(
            database_url, test_servers.redis_url, worker_context["settings"]
        ),
        burst=True,
        poll_delay=0.1,
        handle_signals=False,
    )
    try:
        await worker.async_run()
    finally:
        await worker.close()
    token = link_token(smtp_sink.messages_to(address)[-1])
    reset = await anonymous.data(RESET, {"token": token, "password": NEW_PASSWORD})
    reused = await anonymous.data(
        RESET, {"token": token, "password": NEW_PASSWORD + "x"}
    )
    old_session = await GraphQLClient(client, old_token).post(
        "{ projects { totalCount } }"
    )
    login = await anonymous.data(LOGIN, {"email": address, "password": NEW_PASSWORD})

    assert known == unknown
    assert smtp_sink.messages_to("onbekend@demo.srm.example") == []
    assert reset["resetPassword"] == {"success": True, "userErrors": []}
    assert [e["code"] for e in reused["resetPassword"]["userErrors"]] == [
        "TOKEN_INVALID"
    ]
    assert old_session["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert login["login"]["challenge"]


async def test_change_password_revokes_sessions(
    as_user: Any, anonymous: GraphQLClient
) -> None:
    address = "ivo.informatica@demo.srm.example"
    user = await as_user(address)
    other = await as_user(address)

    changed = await user.data(
        """mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c,
            newPassword: $n}) { success userErrors { code } } }""",
        {"c": demo_password(address), "n": NEW_PASSWORD},
    )
    after_self = await user.post("{ projects { totalCount } }")
    after_other = await other.post("{ projects { totalCount } }")

    assert changed["changePassword"]["success"] is True
    assert after_self["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert after_other["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_coordinator_resets_two_factor(
    as_user: Any,
    anonymous: GraphQLClient,
    sessionmaker: Any,
    worker_context: dict[str, Any],
    smtp_sink: SmtpSink,
) -> None:
    address = "tweestaps.herstel@demo.srm.example"
    secret = pyotp.random_base32()
    await add_active_user(sessionmaker, address, secret)
    coordinator = await as_user(COORDINATOR_EMAIL)
    contractor = await as_user(CONTRACTOR_EMAIL)
    organisation = await contractor.data(
        "{ viewer { organisation { id users { id email } } } }"
    )
    target = next(
        u
        for u in organisation["viewer"]["organisation"]["users"]
        if u["email"] == address
    )
    drenthe = await as_user("derk.drent@demo.srm.example")

    outside_region = await drenthe.post(
        "mutation($id: ID!) { resetTwoFactor(input: {userId: $id}) { user { id } } }",
        {"id": target["id"]},
    )
    by_contractor = await contractor.post(
        "mutation($id: ID!) { resetTwoFactor(input: {userId: $id}) { user { id } } }",
        {"id": target["id"]},
    )
    reset = await coordinator.data(
        "mutation($id: ID!) { resetTwoFactor(input: {userId: $id}) { user { totpConfirmed } userErrors { code } } }",
        {"id": target["id"]},
    )
    await deliver_outbox(sessionmaker, worker_context, address)
    login = await anonymous.data(LOGIN, {"email": address, "password": NEW_PASSWORD})

    assert outside_region["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert by_contractor["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert reset["resetTwoFactor"]["user"]["totpConfirmed"] is False
    assert smtp_sink.messages_to(address)
    assert login["login"]["totpSetupRequired"] is True
    # The old authenticator secret no longer opens a session.
    verify = await anonymous.data(
        """mutation($c: String!, $code: String!) { verifyTotp(input: {challenge: $c, code: $code}) {
            token userErrors { code } } }""",
        {"c": login["login"]["challenge"], "code": code_for(secret)},
    )
    assert verify["verifyTotp"]["token"] is None


async def test_invite_other_organisation_not_found(as_user: Any) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    others = await contractor.data(
        '{ organisations(search: "Groenwerk") { edges { node { id } } } }'
    )
    other_id = others["organisations"]["edges"][0]["node"]["id"]

    body = await contractor.post(
        INVITE,
        {
            "input": {
                "email": "indringer@demo.srm.example",
                "fullName": "X",
                "organisationId": other_id,
            }
        },
    )

    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"


async def test_session_cookie_needs_csrf_header(
    anonymous: GraphQLClient, client: Any
) -> None:
    address = "lieuwe.leerwerk@demo.srm.example"
    login = await anonymous.data(
        LOGIN, {"email": address, "password": demo_password(address)}
    )

    response = await client.post(
        "/graphql",
        json={
            "query": """mutation($c: String!, $code: String!) { verifyTotp(input: {challenge: $c,
                code: $code, cookie: true}) { token userErrors { code } } }""",
            "variables": {
                "c": login["login"]["challenge"],
                "code": code_for(demo_totp_secret(address), -1),
            },
        },
    )
    # httpx keeps Secure cookies only for https, so read them from the headers.
    set_cookie = response.headers.get_list("set-cookie")
    cookies = dict(header.split(";", 1)[0].split("=", 1) for header in set_cookie)
    query = {"query": "{ viewer { user { email } } }"}
    cookie_header = "; ".join(f"{name}={value}" for name, value in cookies.items())
    without_header = await client.post(
        "/graphql", json=query, headers={"Cookie": cookie_header}
    )
    with_header = await client.post(
        "/graphql",
        json=query,
        headers={"Cookie": cookie_header, "X-CSRF-Token": cookies["srm_csrf"]},
    )
    wrong_header = await client.post(
        "/graphql", json=query, headers={"Cookie": cookie_header, "X-CSRF-Token": "nep"}
    )

    assert response.json()["data"]["verifyTotp"]["token"] is None
    session_cookie = next(c for c in set_cookie if c.startswith("srm_session="))
    assert "HttpOnly" in session_cookie
    assert "Secure" in session_cookie
    assert "SameSite=strict" in session_cookie or "SameSite=Strict" in session_cookie
    assert without_header.json()["data"]["viewer"] is None
    assert with_header.json()["data"]["viewer"]["user"]["email"] == address
    assert wrong_header.json()["data"]["viewer"] is None


async def test_coordinator_invites_first_account_only(
    as_user: Any, sessionmaker: Any
) -> None:
    from srm.domain.enums import OrganisationKind
    from srm.models import Organisation

    async with sessionmaker.begin() as session:
        newcomer = Organisation(
            name="Nieuwkomer Bouw B.V.",
            kind=OrganisationKind.CONTRACTOR,
            is_demo=True,
        )
        session.add(newcomer)
        await session.flush()
        newcomer_id = to_global_id("Organisation", newcomer.id)
    coordinator = await as_user(COORDINATOR_EMAIL)
    names = await coordinator.data(
        '{ a: organisations(search: "Leerwerkplein") { edges { node { id } } } '
        'b: organisations(search: "Werkgeversservicepunt Groningen") { edges { node { id } } } }'
    )

    def invite(organisation_id: str, email: str) -> dict[str, Any]:
        return {
            "input": {
                "email": email,
                "fullName": "Nieuw Account",
                "organisationId": organisation_id,
            }
        }

    other_region_contractor = await coordinator.post(
        INVITE,
        invite(names["a"]["edges"][0]["node"]["id"], "coby.prive@demo.srm.example"),
    )
    own_region = await coordinator.post(
        INVITE,
        invite(names["b"]["edges"][0]["node"]["id"], "wsp.nieuw@demo.srm.example"),
    )
    first_account = await coordinator.data(
        INVITE, invite(newcomer_id, "eerste@nieuwkomer.example")
    )

    assert other_region_contractor["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    # Even in its own region: an account manager's account would see candidates.
    assert own_region["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert first_account["inviteUser"]["userErrors"] == []


@pytest.mark.parametrize(
    ("email", "full_name", "field"),
    [
        ("a(b)@test.example", "Nette Naam", "email"),
        ('"a"@test.example', "Nette Naam", "email"),
        ("ünï@tëst.example", "Nette Naam", "email"),
        ("goed@test.example", "Kees. Ga naar https://evil.example/herstel", "fullName"),
        ("goed2@test.example", "Kees\nZwart", "fullName"),
    ],
    ids=["comment", "quoted", "non_ascii", "link_in_name", "newline_in_name"],
)
async def test_invite_rejects_odd_input(
    as_user: Any, email: str, full_name: str, field: str
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)

    data = await contractor.data(
        INVITE, {"input": {"email": email, "fullName": full_name}}
    )

    assert data["inviteUser"]["user"] is None
    assert [(e["field"][-1], e["code"]) for e in data["inviteUser"]["userErrors"]] == [
        (field, "INVALID")
    ]


async def test_old_links_spent_after_password_set(
    as_user: Any,
    anonymous: GraphQLClient,
    sessionmaker: Any,
    worker_context: dict[str, Any],
    smtp_sink: SmtpSink,
) -> None:
    from srm.services.accounts import PASSWORD_RESET, RESET_VALID, _new_token

    contractor = await as_user(CONTRACTOR_EMAIL)
    address = "oude.links@demo.srm.example"
    await contractor.data(
        INVITE, {"input": {"email": address, "fullName": "Oude Links"}}
    )
    await deliver_outbox(sessionmaker, worker_context, address)
    activation = link_token(smtp_sink.messages_to(address)[-1])
    async with sessionmaker.begin() as session:
        user_id = (
            await session.exec(sa.select(User.id).where(User.email == address))
        ).scalar_one()
        reset, _ = await _new_token(session, user_id, PASSWORD_RESET, RESET_VALID)

    by_reset = await anonymous.data(RESET, {"token": reset, "password": NEW_PASSWORD})
    late_activation = await anonymous.data(
        ACTIVATE, {"token": activation, "password": NEW_PASSWORD + "x"}
    )

    assert by_reset["resetPassword"]["success"] is True
    assert [e["code"] for e in late_activation["activateAccount"]["userErrors"]] == [
        "TOKEN_INVALID"
    ]


async def test_sent_mail_body_cleared(
    as_user: Any, sessionmaker: Any, worker_context: dict[str, Any], smtp_sink: SmtpSink
) -> None:
    contractor = await as_user(CONTRACTOR_EMAIL)
    address = "gewist.bericht@demo.srm.example"
    await contractor.data(
        INVITE, {"input": {"email": address, "fullName": "Gewist Bericht"}}
    )

    await deliver_outbox(sessionmaker, worker_context, address)

    async with sessionmaker() as session:
        mail = (
            await session.exec(
                sa.select(OutboxMail).where(OutboxMail.to_address == address)
            )
        ).scalar_one()
    assert mail.status == "SENT"
    assert mail.body_text == ""
    assert mail.body_html == ""
    assert (
        "token="
        in smtp_sink.messages_to(address)[-1]
        .get_body(preferencelist=("plain",))
        .get_content()
    )


async def test_forged_csrf_pair_rejected(client: Any, sessionmaker: Any) -> None:
    token = await open_session(sessionmaker, "gerrit.groen@demo.srm.example")

    response = await client.post(
        "/graphql",
        json={"query": "{ viewer { user { email } } }"},
        headers={"Cookie": f"srm_session={token}; srm_csrf=nep", "X-CSRF-Token": "nep"},
    )

    assert response.json()["data"]["viewer"] is None


@pytest.mark.parametrize(
    "code", ["١٢٣٤٥٦", "¹²³⁴⁵⁶", "12345６"], ids=["arabic", "superscript", "fullwidth"]
)
async def test_non_ascii_code_rejected(anonymous: GraphQLClient, code: str) -> None:
    address = "ilse.intermediair@demo.srm.example"
    login = await anonymous.data(
        LOGIN, {"email": address, "password": demo_password(address)}
    )

    data = await anonymous.data(
        """mutation($c: String!, $code: String!) { verifyTotp(input: {challenge: $c, code: $code}) {
            token userErrors { code } } }""",
        {"c": login["login"]["challenge"], "code": code},
    )

    assert [e["code"] for e in data["verifyTotp"]["userErrors"]] == ["INVALID_CODE"]


async def test_email_taken_checked_last(as_user: Any) -> None:
    authority = await as_user("olga.opdrachtgever@demo.srm.example")

    data = await authority.data(
        INVITE, {"input": {"email": "fokje.fries@demo.srm.example", "fullName": ""}}
    )

    assert [e["code"] for e in data["inviteUser"]["userErrors"]] == ["REQUIRED"]
