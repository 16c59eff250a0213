"""SQL statements per GraphQL request: DataLoaders keep the count independent of page size.

A listener on the application's own engine records every statement sent to
PostgreSQL while one request runs. Fetching 5 or 50 projects (or entries) with
the same nested fields must cost the same number of statements. The bearer
token lookup is part of every count: one SELECT, because the sessions the tests
open are less than a minute old, so ``last_seen_at`` is not written.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from srm.schema.relay import encode_cursor
from tests.conftest import (
    ACCOUNT_MANAGER_EMAIL,
    CONTRACTOR_EMAIL,
    COORDINATOR_EMAIL,
    GraphQLClient,
)

if TYPE_CHECKING:
    pass

# The conftest.py of this folder gives each module a database of its own with only the demo data. Other
# modules add projects to the shared test database, some without entries, and
# a page that reaches such a project costs one more statement.


# With the demo data, the project tree below measured 15 statements (14 for
# the coordinator, who gets no residences) and one project 14. The bounds
# leave room for a few more loaders but catch statements that grow with the
# number of rows.
MAX_STATEMENTS_PROJECT_LIST = 20
MAX_STATEMENTS_ONE_PROJECT = 20

CANDIDATE_FIELDS = """
    id
    firstName
    jobTitle
    startDate
    endDate
    hoursPerWeek
    valueActual
    valueForecast
    validated
    redactedFields
    municipality { id code name }
    residence { id name bagCode municipality { id code name } }
    buildingBlock { id code name yearlyValue maxMonths }
"""

COST_FIELDS = """
    id
    description
    amount
    hours
    date
    note
    validated
    redactedFields
    category { id code name valuation hourlyRate }
"""

PROJECT_FIELDS = f"""
    id
    name
    reference
    startDate
    endDate
    agreementType
    status
    obligation {{ amount isEstimate fixedOn }}
    progress {{ actual forecast actualPercentage forecastPercentage }}
    contractingAuthority {{ id name kind kvkNumber }}
    contractor {{ id name kind kvkNumber }}
    intermediary {{ id name kind kvkNumber }}
    region {{ id code name }}
    policy {{
        id
        code
        name
        fulltimeHoursPerWeek
        region {{ id name }}
        buildingBlocks {{ id code name yearlyValue maxMonths }}
        bonuses {{ id code kind yearlyValue minAge }}
        costCategories {{ id code valuation hourlyRate }}
    }}
    candidates(first: $entries) {{
        totalCount
        pageInfo {{ hasNextPage endCursor }}
        edges {{ cursor node {{ {CANDIDATE_FIELDS} }} }}
    }}
    costs(first: $entries) {{
        totalCount
        pageInfo {{ hasNextPage endCursor }}
        edges {{ cursor node {{ {COST_FIELDS} }} }}
    }}
"""

PROJECT_LIST_QUERY = f"""
query ProjectTree($first: Int!, $entries: Int!) {{
  projects(first: $first) {{
    totalCount
    edges {{ node {{ {PROJECT_FIELDS} }} }}
  }}
}}
"""

ONE_PROJECT_QUERY = f"""
query OneProject($id: ID!, $entries: Int!) {{
  project(id: $id) {{ {PROJECT_FIELDS} }}
}}
"""


@contextmanager
def recorded_statements(engine: AsyncEngine) -> Iterator[list[str]]:
    """Collect the SQL text of every statement ``engine`` executes inside the block."""
    statements: list[str] = []

    def record(
        connection: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        statements.append(statement)

    sa.event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        sa.event.remove(engine.sync_engine, "before_cursor_execute", record)


async def run_counted(
    app: Any, user: GraphQLClient, query: str, variables: dict[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """Run one request that must succeed and return its data and the statements it sent."""
    engine: AsyncEngine = app.state.resources.engine
    with recorded_statements(engine) as statements:
        data = await user.data(query, variables)
    return data, list(statements)


def describe(statements: list[str]) -> str:
    """Number the statements, one per line, for an assertion message."""
    return "\n".join(
        f"{number}: {' '.join(text.split())[:160]}"
        for number, text in enumerate(statements, start=1)
    )


# The account manager sees candidates unmasked, so residences are loaded too.
# The coordinator sees the same projects with identities masked. The contractor
# sees projects under both a regional and a national policy.
@pytest.mark.parametrize(
    "email", [ACCOUNT_MANAGER_EMAIL, COORDINATOR_EMAIL, CONTRACTOR_EMAIL]
)
async def test_project_list_statements_constant(
    app: Any, as_user: Any, email: str
) -> None:
    user = await as_user(email)
    # Warm up the pool, so connection set-up does not land in one count only.
    await user.data(PROJECT_LIST_QUERY, {"first": 50, "entries": 5})

    small, small_statements = await run_counted(
        app, user, PROJECT_LIST_QUERY, {"first": 5, "entries": 5}
    )
    large, large_statements = await run_counted(
        app, user, PROJECT_LIST_QUERY, {"first": 50, "entries": 5}
    )

    small_projects = small["projects"]["edges"]
    large_projects = large["projects"]["edges"]
    assert len(small_projects) == 5
    assert len(large_projects) == large["projects"]["totalCount"]
    assert len(large_projects) > 5, "the viewer must see more than one small page"
    for edge in large_projects:
        assert edge["node"]["candidates"]["edges"], edge["node"]["name"]
        assert edge["node"]["costs"]["edges"], edge["node"]["name"]
        assert edge["node"]["policy"]["buildingBlocks"], edge["node"]["name"]

    assert len(small_statements) == len(large_statements), (
        f"5 projects:\n{describe(small_statements)}\n"
        f"50 projects:\n{describe(large_statements)}"
    )
    assert len(large_statements) <= MAX_STATEMENTS_PROJECT_LIST, describe(
        large_statements
    )


async def test_one_project_entry_pages_constant(app: Any, as_user: Any) -> None:
    user = await as_user(ACCOUNT_MANAGER_EMAIL)
    listing = await user.data(
        "{ projects(first: 100) { edges { node { id candidates { totalCount } "
        "costs { totalCount } } } } }"
    )
    # Take the project with the most candidates, so a page of 5 is full and a
    # page of 50 contains more.
    project = max(
        (edge["node"] for edge in listing["projects"]["edges"]),
        key=lambda node: node["candidates"]["totalCount"],
    )
    assert project["candidates"]["totalCount"] > 5
    assert project["costs"]["totalCount"] > 5
    await user.data(ONE_PROJECT_QUERY, {"id": project["id"], "entries": 50})

    small, small_statements = await run_counted(
        app, user, ONE_PROJECT_QUERY, {"id": project["id"], "entries": 5}
    )
    large, large_statements = await run_counted(
        app, user, ONE_PROJECT_QUERY, {"id": project["id"], "entries": 50}
    )

    assert len(small["project"]["candidates"]["edges"]) == 5
    assert len(small["project"]["costs"]["edges"]) == 5
    assert (
        len(large["project"]["candidates"]["edges"])
        == project["candidates"]["totalCount"]
    )
    assert len(large["project"]["costs"]["edges"]) == project["costs"]["totalCount"]
    assert len(small_statements) == len(large_statements), (
        f"5 entries:\n{describe(small_statements)}\n"
        f"50 entries:\n{describe(large_statements)}"
    )
    assert len(large_statements) <= MAX_STATEMENTS_ONE_PROJECT, describe(
        large_statements
    )


async def test_entry_page_past_end_statements(app: Any, as_user: Any) -> None:
    """A page after the last entry still costs a fixed number of statements."""
    user = await as_user(ACCOUNT_MANAGER_EMAIL)
    query = """
    query PastEnd($first: Int!, $after: String!) {
      projects(first: $first) {
        edges { node {
          candidates(first: 5, after: $after) { totalCount edges { cursor } }
          costs(first: 5, after: $after) { totalCount edges { cursor } }
        } }
      }
    }
    """
    # Offset 99 lies past the last entry of every demo project.
    past_end = encode_cursor(99)
    await user.data(query, {"first": 50, "after": past_end})

    small, small_statements = await run_counted(
        app, user, query, {"first": 5, "after": past_end}
    )
    large, large_statements = await run_counted(
        app, user, query, {"first": 50, "after": past_end}
    )

    for edge in large["projects"]["edges"]:
        assert edge["node"]["candidates"]["edges"] == []
        assert edge["node"]["candidates"]["totalCount"] > 0
        assert edge["node"]["costs"]["edges"] == []
        assert edge["node"]["costs"]["totalCount"] > 0
    assert len(small["projects"]["edges"]) == 5
    assert len(small_statements) == len(large_statements), (
        f"5 projects:\n{describe(small_statements)}\n"
        f"50 projects:\n{describe(large_statements)}"
    )


async def test_policies_statements_constant(app: Any, as_user: Any) -> None:
    user = await as_user(ACCOUNT_MANAGER_EMAIL)
    query = """
    query Policies($region: ID) {
      policies(region: $region) {
        id
        region { id name }
        buildingBlocks { id code }
        bonuses { id code }
        costCategories { id code }
      }
    }
    """
    regions = (await user.data("{ regions { id code } }"))["regions"]
    groningen = next(
        region["id"] for region in regions if region["code"] == "groningen"
    )
    await user.data(query, {"region": None})

    regional, regional_statements = await run_counted(
        app, user, query, {"region": groningen}
    )
    every, every_statements = await run_counted(app, user, query, {"region": None})

    assert len(every["policies"]) > len(regional["policies"]) > 0
    assert len(regional_statements) == len(every_statements), (
        f"one region:\n{describe(regional_statements)}\n"
        f"all policies:\n{describe(every_statements)}"
    )
