"""The srm command line against a test database."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ServerUrls, migrated_database

ROOT = Path(__file__).parent.parent


def run_srm(
    *arguments: str, database_url: str, redis_url: str
) -> subprocess.CompletedProcess[str]:
    environment = dict(
        os.environ, SRM_DATABASE_URL=database_url, SRM_REDIS_URL=redis_url
    )
    return subprocess.run(  # noqa: S603  (fixed arguments, our own program)
        [sys.executable, "-m", "srm.cli", *arguments],
        capture_output=True,
        text=True,
        env=environment,
        cwd=ROOT,
        timeout=120,
        check=False,
    )


def test_demo_accounts_json(database_url: str, test_servers: ServerUrls) -> None:
    result = run_srm(
        "demo-accounts",
        "--json",
        database_url=database_url,
        redis_url=test_servers.redis_url,
    )

    accounts = json.loads(result.stdout)
    assert result.returncode == 0
    assert {a["role"] for a in accounts} == {
        "CONTRACTING_AUTHORITY",
        "CONTRACTOR",
        "INTERMEDIARY",
        "ACCOUNT_MANAGER",
        "COORDINATOR",
    }
    assert set(accounts[0]) == {
        "email",
        "role",
        "organisation",
        "password",
        "totpSecret",
    }


async def test_demo_accounts_refuses_other_database(test_servers: ServerUrls) -> None:
    async with migrated_database(test_servers, "srm_cli") as url:
        result = run_srm(
            "demo-accounts",
            "--json",
            database_url=url,
            redis_url=test_servers.redis_url,
        )

    assert result.returncode == 2
    assert result.stdout == ""
    assert "not the demo data set" in result.stderr


def test_schema_command_prints_committed_sdl(test_servers: ServerUrls) -> None:
    result = run_srm("schema", database_url="unused", redis_url="unused")

    assert result.returncode == 0
    assert (
        result.stdout.strip()
        == (ROOT / "schema.graphql").read_text(encoding="utf-8").strip()
    )
