"""The projects query: sorting, filters, paging and visibility, checked against the database.

Each expected result is computed in Python, independently of the SQL in
``list_projects``. Sort orders come from the fields the API returns. Filters
and visibility come from the project rows, read with the test's own
sessionmaker.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.demo import demo_email
from srm.domain.enums import REGIONAL_KINDS, ProjectStatus
from srm.domain.valuation import effective_obligation
from srm.models import Organisation, Project
from srm.schema.relay import (
    MAX_PAGE_SIZE,
    encode_cursor,
    from_global_id,
    to_global_id,
)
from srm.services.projects import ProjectOrderField
from tests.conftest import (
    ACCOUNT_MANAGER_EMAIL,
    AUTHORITY_EMAIL,
    CONTRACTOR_EMAIL,
    COORDINATOR_EMAIL,
    INTERMEDIARY_EMAIL,
    OTHER_CONTRACTOR_EMAIL,
    GraphQLClient,
    organisation_of,
)

if TYPE_CHECKING:
    pass

# The conftest.py of this folder gives each module a database of its own with only the demo data, because
# other modules add projects to the shared test database and the checks here
# sort, filter and count every visible project.


PROJECT_NODE = """
    id
    name
    reference
    startDate
    endDate
    agreementType
    status
    obligation { amount }
    progress { actual forecast actualPercentage forecastPercentage }
    contractingAuthority { name }
    contractor { name }
    intermediary { name }
    region { id name }
    policy { name }
"""

PROJECTS_QUERY = f"""
query Projects(
  $filter: ProjectFilter
  $orderBy: [ProjectOrder!]
  $first: Int
  $after: String
  $last: Int
  $before: String
) {{
  projects(
    filter: $filter
    orderBy: $orderBy
    first: $first
    after: $after
    last: $last
    before: $before
  ) {{
    totalCount
    pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
    edges {{ cursor node {{ {PROJECT_NODE} }} }}
  }}
}}
"""

# Every role, and for the party roles and the regional roles more than one
# organisation: a second intermediary, the Friesland coordinator and the
# Drenthe account manager.
VISIBILITY_EMAILS = [
    CONTRACTOR_EMAIL,
    OTHER_CONTRACTOR_EMAIL,
    AUTHORITY_EMAIL,
    INTERMEDIARY_EMAIL,
    ACCOUNT_MANAGER_EMAIL,
    COORDINATOR_EMAIL,
    demo_email("Lieuwe Leerwerk"),
    demo_email("Fokje Fries"),
    demo_email("Roelie Relatiebeheer"),
]

# The coordinator of Groningen sees the most projects of one region. The
# intermediary sees projects of two regions and with two policies.
SORT_EMAILS = [COORDINATOR_EMAIL, INTERMEDIARY_EMAIL]


@dataclass(frozen=True)
class ProjectRecord:
    """A project as stored, with the names of its parties."""

    id: uuid.UUID
    name: str
    reference: str | None
    status: str
    agreement_type: str
    region_id: uuid.UUID
    start_date: date
    end_date: date
    obligation: Decimal | None
    created_at: datetime
    party_ids: frozenset[uuid.UUID]
    party_names: tuple[str, ...]


async def load_records(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[uuid.UUID, ProjectRecord]:
    """Read every project and its party names straight from the database."""
    async with sessionmaker() as session:
        projects = (await session.exec(sa.select(Project))).scalars().all()  # type: ignore[call-overload]
        organisations = {
            row.id: row
            for row in (await session.exec(sa.select(Organisation))).scalars().all()  # type: ignore[call-overload]
        }
    records: dict[uuid.UUID, ProjectRecord] = {}
    for project in projects:
        party_ids = [project.contracting_authority_id, project.contractor_id]
        if project.intermediary_id is not None:
            party_ids.append(project.intermediary_id)
        records[project.id] = ProjectRecord(
            id=project.id,
            name=project.name,
            reference=project.reference,
            status=project.status.value,
            agreement_type=project.agreement_type.value,
            region_id=project.region_id,
            start_date=project.start_date,
            end_date=project.end_date,
            obligation=effective_obligation(
                project.agreement_type.value,
                project.obligation_amount,
                project.fixed_amount,
            ),
            created_at=project.created_at,
            party_ids=frozenset(party_ids),
            party_names=tuple(organisations[i].name for i in party_ids),
        )
    return records


def visible_to(
    records: dict[uuid.UUID, ProjectRecord], organisation: Organisation
) -> dict[uuid.UUID, ProjectRecord]:
    """Apply the visibility rule: regional organisations see their region, parties their projects."""
    if organisation.kind in REGIONAL_KINDS:
        return {
            i: r for i, r in records.items() if r.region_id == organisation.region_id
        }
    return {i: r for i, r in records.items() if organisation.id in r.party_ids}


def not_completed(records: dict[uuid.UUID, ProjectRecord]) -> set[uuid.UUID]:
    return {i for i, r in records.items() if r.status != ProjectStatus.COMPLETED}


def uuid_of(global_id: str) -> uuid.UUID:
    decoded = from_global_id(global_id)
    assert decoded is not None, global_id
    assert decoded[0] == "Project", global_id
    return decoded[1]


async def fetch_page(
    user: GraphQLClient, **variables: Any
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Run the projects query and return the connection and its nodes."""
    data = await user.data(PROJECTS_QUERY, variables)
    connection = data["projects"]
    return connection, [edge["node"] for edge in connection["edges"]]


async def fetch_all(
    user: GraphQLClient,
    filter: dict[str, Any] | None = None,
    order_by: list[dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Return every matching project from one page, and fail if the list is longer."""
    connection, nodes = await fetch_page(
        user, filter=filter, orderBy=order_by, first=MAX_PAGE_SIZE
    )
    assert connection["pageInfo"]["hasNextPage"] is False
    assert connection["totalCount"] == len(nodes)
    return nodes


async def fetch_ids(
    user: GraphQLClient, filter: dict[str, Any] | None = None
) -> set[uuid.UUID]:
    nodes = await fetch_all(user, filter)
    ids = [uuid_of(node["id"]) for node in nodes]
    assert len(ids) == len(set(ids)), "a project appears twice"
    return set(ids)


def error_codes(body: dict[str, Any]) -> list[str | None]:
    return [error.get("extensions", {}).get("code") for error in body["errors"]]


# Sorting -------------------------------------------------------------------


def _lower(value: str | None) -> str | None:
    return None if value is None else value.lower()


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _party_name(node: dict[str, Any], party: str) -> str | None:
    organisation = node[party]
    return None if organisation is None else organisation["name"].lower()


SortKey = Callable[[dict[str, Any], ProjectRecord], Any]

# The value each sort field orders by, read from the returned node (or, for
# CREATED_AT, which the API does not return, from the stored row). Text sorts
# ignore case. None marks a value that sorts last in both directions.
# NOTE: Python compares text by code point, as the C.UTF-8 collation of the
# test server does. A linguistic collation could order punctuation differently.
SORT_KEYS: dict[ProjectOrderField, SortKey] = {
    ProjectOrderField.NAME: lambda node, _: node["name"].lower(),
    ProjectOrderField.REFERENCE: lambda node, _: _lower(node["reference"]),
    ProjectOrderField.CONTRACTING_AUTHORITY: lambda node, _: _party_name(
        node, "contractingAuthority"
    ),
    ProjectOrderField.CONTRACTOR: lambda node, _: _party_name(node, "contractor"),
    ProjectOrderField.INTERMEDIARY: lambda node, _: _party_name(node, "intermediary"),
    ProjectOrderField.REGION: lambda node, _: node["region"]["name"].lower(),
    ProjectOrderField.POLICY: lambda node, _: node["policy"]["name"].lower(),
    ProjectOrderField.START_DATE: lambda node, _: date.fromisoformat(node["startDate"]),
    ProjectOrderField.END_DATE: lambda node, _: date.fromisoformat(node["endDate"]),
    ProjectOrderField.AGREEMENT_TYPE: lambda node, _: node["agreementType"],
    ProjectOrderField.OBLIGATION_AMOUNT: lambda node, _: _decimal(
        node["obligation"]["amount"] if node["obligation"] else None
    ),
    ProjectOrderField.STATUS: lambda node, _: node["status"],
    ProjectOrderField.PROGRESS_ACTUAL: lambda node, _: Decimal(
        node["progress"]["actual"]
    ),
    ProjectOrderField.PROGRESS_FORECAST: lambda node, _: Decimal(
        node["progress"]["forecast"]
    ),
    ProjectOrderField.PROGRESS_ACTUAL_PERCENTAGE: lambda node, _: _decimal(
        node["progress"]["actualPercentage"]
    ),
    ProjectOrderField.PROGRESS_FORECAST_PERCENTAGE: lambda node, _: _decimal(
        node["progress"]["forecastPercentage"]
    ),
    ProjectOrderField.CREATED_AT: lambda _, record: record.created_at,
}


def expected_order(
    keyed: Iterable[tuple[Any, uuid.UUID]], descending: bool
) -> list[uuid.UUID]:
    """Sort (key, id) pairs as list_projects orders rows: key, then id ascending, nulls last."""
    pairs = sorted(keyed, key=lambda pair: pair[1])
    present = [pair for pair in pairs if pair[0] is not None]
    missing = [pair for pair in pairs if pair[0] is None]
    # Python's sort is stable, also with reverse=True, so ties keep id order.
    present.sort(key=lambda pair: pair[0], reverse=descending)
    return [project_id for _, project_id in present + missing]


def test_sort_keys_cover_every_field() -> None:
    assert set(SORT_KEYS) == set(ProjectOrderField)


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
@pytest.mark.parametrize("field", list(ProjectOrderField), ids=str)
async def test_sort_order(
    as_user: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    field: ProjectOrderField,
    direction: str,
) -> None:
    records = await load_records(sessionmaker)
    key = SORT_KEYS[field]
    distinct_keys: set[Any] = set()
    for email in SORT_EMAILS:
        user = await as_user(email)
        nodes = await fetch_all(
            user, order_by=[{"field": field.value, "direction": direction}]
        )
        assert len(nodes) >= 5, email
        returned = [uuid_of(node["id"]) for node in nodes]
        keyed = [
            (key(node, records[uuid_of(node["id"])]), uuid_of(node["id"]))
            for node in nodes
        ]
        assert returned == expected_order(keyed, direction == "DESC"), (
            email,
            [pair[0] for pair in keyed],
        )
        distinct_keys.update(pair[0] for pair in keyed)
    # Two or more values, so the order is not the id order by accident.
    assert len(distinct_keys - {None}) >= 2, distinct_keys


async def test_sort_default_end_date(as_user: Any) -> None:
    user = await as_user(COORDINATOR_EMAIL)
    nodes = await fetch_all(user)
    keyed = [(date.fromisoformat(n["endDate"]), uuid_of(n["id"])) for n in nodes]
    assert [uuid_of(n["id"]) for n in nodes] == expected_order(keyed, False)


async def test_sort_two_keys(as_user: Any) -> None:
    user = await as_user(COORDINATOR_EMAIL)
    nodes = await fetch_all(
        user,
        order_by=[
            {"field": "AGREEMENT_TYPE", "direction": "ASC"},
            {"field": "NAME", "direction": "DESC"},
        ],
    )
    by_id = sorted(nodes, key=lambda n: uuid_of(n["id"]))
    by_name = sorted(by_id, key=lambda n: n["name"].lower(), reverse=True)
    expected = sorted(by_name, key=lambda n: n["agreementType"])
    assert [n["id"] for n in nodes] == [n["id"] for n in expected]
    assert len({n["agreementType"] for n in nodes}) >= 2


# Visibility ------------------------------------------------------------------


@pytest.mark.parametrize("email", VISIBILITY_EMAILS)
async def test_visibility_matches_database(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession], email: str
) -> None:
    records = await load_records(sessionmaker)
    organisation = await organisation_of(sessionmaker, email)
    visible = visible_to(records, organisation)
    user = await as_user(email)

    open_ids = await fetch_ids(user)
    completed_ids = await fetch_ids(user, {"completed": True})

    assert visible, f"{email} should see demo projects"
    assert open_ids == not_completed(visible)
    assert completed_ids == set(visible) - not_completed(visible)


async def test_visibility_hidden_project_is_null(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    records = await load_records(sessionmaker)
    organisation = await organisation_of(sessionmaker, CONTRACTOR_EMAIL)
    hidden = sorted(set(records) - set(visible_to(records, organisation)))
    assert hidden
    user = await as_user(CONTRACTOR_EMAIL)
    for project_id in hidden[:3]:
        data = await user.data(
            "query One($id: ID!) { project(id: $id) { id } }",
            {"id": to_global_id("Project", project_id)},
        )
        assert data["project"] is None, project_id


# Filters ---------------------------------------------------------------------


async def coordinator_view(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> tuple[GraphQLClient, dict[uuid.UUID, ProjectRecord]]:
    """Return the Groningen coordinator and the projects that user may see."""
    records = await load_records(sessionmaker)
    organisation = await organisation_of(sessionmaker, COORDINATOR_EMAIL)
    return await as_user(COORDINATOR_EMAIL), visible_to(records, organisation)


def matches(record: ProjectRecord, search: str) -> bool:
    """Apply the search rule: the trimmed text occurs, ignoring case, in the name,
    the reference or a party's name."""
    needle = search.strip().lower()
    texts = [record.name, record.reference or "", *record.party_names]
    return any(needle in text.lower() for text in texts)


SEARCH_CASES = [
    # (search text, what it should match)
    ("STATIONSPLEIN", "a project name, in other case"),
    ("sr-2025-0", "a reference prefix"),
    ("Kwelderzand", "a contractor's name"),
    ("werkbrug", "an intermediary's name"),
    ("Hunzedelta", "a contracting authority's name"),
    ("  renovatie  ", "a name with surrounding spaces"),
]


@pytest.mark.parametrize(("search", "meaning"), SEARCH_CASES)
async def test_filter_search(
    as_user: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    search: str,
    meaning: str,
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    expected = {i for i in not_completed(visible) if matches(visible[i], search)}

    found = await fetch_ids(user, {"search": search})

    assert expected, f"no demo project matches {meaning}"
    assert expected != not_completed(visible), f"{meaning} matches every project"
    assert found == expected


@pytest.mark.parametrize("search", ["%", "_", "\\", "no such project"])
async def test_filter_search_no_match(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession], search: str
) -> None:
    # LIKE wildcards in the search text match themselves, not any character.
    user, _ = await coordinator_view(as_user, sessionmaker)
    assert await fetch_ids(user, {"search": search}) == set()


async def test_filter_search_blank_ignored(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    assert await fetch_ids(user, {"search": "   "}) == not_completed(visible)


STATUS_CASES = [
    (["AWAITING_APPROVAL"], False),
    (["ACTIVE", "APPROVED"], False),
    (["REJECTED", "AWAITING_APPROVAL", "APPROVED"], False),
    (["COMPLETED"], False),
    (["COMPLETED"], True),
    (["ACTIVE"], True),
]


@pytest.mark.parametrize(("statuses", "completed"), STATUS_CASES)
async def test_filter_status(
    as_user: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    statuses: list[str],
    completed: bool,
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    # completed: false keeps every status but COMPLETED, and true keeps only COMPLETED.
    expected = {
        i
        for i, r in visible.items()
        if r.status in statuses and (r.status == "COMPLETED") == completed
    }
    found = await fetch_ids(user, {"status": statuses, "completed": completed})
    assert found == expected


async def test_filter_status_matches_some(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    _, visible = await coordinator_view(as_user, sessionmaker)
    statuses = {r.status for r in visible.values()}
    # The status cases above test something only if the demo data has these.
    assert {"ACTIVE", "COMPLETED"} <= statuses
    assert statuses & {"AWAITING_APPROVAL", "APPROVED", "REJECTED"}


async def test_filter_completed(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    default_ids = await fetch_ids(user)
    false_ids = await fetch_ids(user, {"completed": False})
    true_ids = await fetch_ids(user, {"completed": True})

    assert default_ids == false_ids
    assert default_ids == not_completed(visible)
    assert true_ids == set(visible) - not_completed(visible)
    assert true_ids, "the demo data should have a completed project"


async def test_filter_region(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    records = await load_records(sessionmaker)
    organisation = await organisation_of(sessionmaker, INTERMEDIARY_EMAIL)
    visible = visible_to(records, organisation)
    user = await as_user(INTERMEDIARY_EMAIL)
    regions = (await user.data("{ regions { id code } }"))["regions"]
    region_ids = {r.region_id for r in visible.values()}
    assert len(region_ids) >= 2, "the intermediary should work in two regions"

    for region in regions:
        region_id = from_global_id(region["id"])
        assert region_id is not None
        expected = {
            i for i in not_completed(visible) if visible[i].region_id == region_id[1]
        }
        found = await fetch_ids(user, {"region": region["id"]})
        assert found == expected, region["code"]


@pytest.mark.parametrize(
    "region",
    [
        "not-a-region",
        to_global_id("Project", uuid.UUID(int=1)),
        to_global_id("Region", uuid.UUID(int=1)),
    ],
    ids=["malformed", "other-type", "unknown"],
)
async def test_filter_region_invalid_matches_none(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession], region: str
) -> None:
    user, _ = await coordinator_view(as_user, sessionmaker)
    assert await fetch_ids(user, {"region": region}) == set()


@pytest.mark.parametrize(
    "types",
    [["OBLIGATION"], ["FRAMEWORK"], ["BEST_EFFORT"], ["OBLIGATION", "BEST_EFFORT"]],
)
async def test_filter_agreement_type(
    as_user: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    types: list[str],
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    expected = {i for i in not_completed(visible) if visible[i].agreement_type in types}
    found = await fetch_ids(user, {"agreementType": types})
    assert expected
    assert found == expected


@pytest.mark.parametrize("column", ["startDate", "endDate"])
async def test_filter_date_range(
    as_user: Any,
    sessionmaker: async_sessionmaker[AsyncSession],
    column: str,
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    open_ids = not_completed(visible)

    def day(project_id: uuid.UUID) -> date:
        record = visible[project_id]
        return record.start_date if column == "startDate" else record.end_date

    days = sorted(day(i) for i in open_ids)
    low, high = days[2], days[-3]
    assert low < high
    cases: list[tuple[dict[str, str], Callable[[date], bool]]] = [
        ({"from": low.isoformat()}, lambda d: d >= low),
        ({"to": high.isoformat()}, lambda d: d <= high),
        ({"from": low.isoformat(), "to": high.isoformat()}, lambda d: low <= d <= high),
        ({"from": low.isoformat(), "to": low.isoformat()}, lambda d: d == low),
        ({"from": high.isoformat(), "to": low.isoformat()}, lambda d: False),
    ]
    for bounds, keeps in cases:
        expected = {i for i in open_ids if keeps(day(i))}
        found = await fetch_ids(user, {column: bounds})
        assert found == expected, bounds
    # Both ends are inclusive: the projects on the bounds themselves are found.
    both = await fetch_ids(
        user, {column: {"from": low.isoformat(), "to": high.isoformat()}}
    )
    assert {i for i in open_ids if day(i) in (low, high)} <= both


async def test_filter_obligation_range(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    open_ids = not_completed(visible)
    amounts = sorted(
        r.obligation for i, r in visible.items() if i in open_ids and r.obligation
    )
    low, high = amounts[1], amounts[-2]
    cases: list[tuple[dict[str, str], Callable[[Decimal], bool]]] = [
        ({"from": str(low)}, lambda a: a >= low),
        ({"to": str(high)}, lambda a: a <= high),
        ({"from": str(low), "to": str(high)}, lambda a: low <= a <= high),
        ({"from": str(low), "to": str(low)}, lambda a: a == low),
    ]
    for bounds, keeps in cases:
        # A project without an obligation has no amount to fall in a range.
        expected = {
            i
            for i in open_ids
            if (amount := visible[i].obligation) is not None and keeps(amount)
        }
        found = await fetch_ids(user, {"obligationAmount": bounds})
        assert found == expected, bounds
    assert any(visible[i].obligation is None for i in open_ids)


async def test_filter_obligation_uses_fixed_amount(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """A framework project filters on its fixed amount, not on the first estimate."""
    user, visible = await coordinator_view(as_user, sessionmaker)
    async with sessionmaker() as session:
        framework = (
            (
                await session.exec(  # type: ignore[call-overload]
                    sa.select(Project).where(
                        Project.id.in_(not_completed(visible)),  # type: ignore[attr-defined]
                        Project.fixed_amount.is_not(None),  # type: ignore[union-attr]
                    )
                )
            )
            .scalars()
            .first()
        )
    assert framework is not None, "the demo data should have a fixed framework amount"
    fixed = str(framework.fixed_amount)
    estimate = str(framework.obligation_amount)

    at_fixed = await fetch_ids(user, {"obligationAmount": {"from": fixed, "to": fixed}})
    at_estimate = await fetch_ids(
        user, {"obligationAmount": {"from": estimate, "to": estimate}}
    )

    assert framework.id in at_fixed
    assert framework.id not in at_estimate


async def test_filters_combined(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    expected = {
        i
        for i in not_completed(visible)
        if visible[i].agreement_type != "BEST_EFFORT"
        and matches(visible[i], "gemeente")
    }
    found = await fetch_ids(
        user, {"search": "gemeente", "agreementType": ["OBLIGATION", "FRAMEWORK"]}
    )
    assert expected
    assert found == expected


# Paging ----------------------------------------------------------------------


@pytest.mark.parametrize("order_field", ["END_DATE", "NAME", "PROGRESS_ACTUAL"])
async def test_paging_forward_walks_list(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession], order_field: str
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    order = [{"field": order_field, "direction": "ASC"}]
    full = [uuid_of(n["id"]) for n in await fetch_all(user, order_by=order)]
    total = len(not_completed(visible))
    assert len(full) == total
    assert total > 8, "the walk should take several pages"

    walked: list[uuid.UUID] = []
    after = None
    pages = 0
    while True:
        connection, nodes = await fetch_page(user, orderBy=order, first=4, after=after)
        pages += 1
        assert connection["totalCount"] == total
        assert connection["pageInfo"]["hasPreviousPage"] is (after is not None)
        walked.extend(uuid_of(n["id"]) for n in nodes)
        if not connection["pageInfo"]["hasNextPage"]:
            break
        assert len(nodes) == 4
        after = connection["pageInfo"]["endCursor"]
        assert after == connection["edges"][-1]["cursor"]
        assert pages < 20, "paging does not end"

    assert len(walked) == len(set(walked)), "a project appears on two pages"
    assert walked == full
    assert pages == -(-total // 4)


async def test_paging_first_zero(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    user, visible = await coordinator_view(as_user, sessionmaker)
    connection, nodes = await fetch_page(user, first=0)
    assert nodes == []
    assert connection["totalCount"] == len(not_completed(visible))
    assert connection["pageInfo"]["hasNextPage"] is True


async def test_paging_after_last_is_empty(as_user: Any) -> None:
    user = await as_user(COORDINATOR_EMAIL)
    connection, nodes = await fetch_page(user, first=5, after=encode_cursor(500))
    assert nodes == []
    assert connection["pageInfo"]["hasNextPage"] is False
    assert connection["totalCount"] > 0


async def test_paging_last_and_before(as_user: Any) -> None:
    user = await as_user(COORDINATOR_EMAIL)
    full_nodes = await fetch_all(user)
    full = [n["id"] for n in full_nodes]
    assert len(full) > 6
    first_connection, _ = await fetch_page(user, first=len(full))
    cursors = [edge["cursor"] for edge in first_connection["edges"]]

    connection, nodes = await fetch_page(user, last=3)
    assert [n["id"] for n in nodes] == full[-3:]
    assert connection["pageInfo"]["hasPreviousPage"] is True
    assert connection["pageInfo"]["hasNextPage"] is False
    assert connection["totalCount"] == len(full)

    connection, nodes = await fetch_page(user, last=3, before=cursors[5])
    assert [n["id"] for n in nodes] == full[2:5]
    assert connection["pageInfo"]["hasPreviousPage"] is True
    assert connection["pageInfo"]["hasNextPage"] is True

    # With fewer items before the cursor than requested, the page has only those.
    connection, nodes = await fetch_page(user, last=3, before=cursors[1])
    assert [n["id"] for n in nodes] == full[:1]
    assert connection["pageInfo"]["hasPreviousPage"] is False

    connection, nodes = await fetch_page(user, last=3, before=cursors[0])
    assert nodes == []

    # Pages taken backwards from the end join up to the whole list.
    walked: list[str] = []
    before = None
    for _ in range(20):
        connection, nodes = await fetch_page(user, last=4, before=before)
        walked[:0] = [n["id"] for n in nodes]
        if not connection["pageInfo"]["hasPreviousPage"]:
            break
        before = connection["pageInfo"]["startCursor"]
    assert walked == full


INVALID_CURSORS = [
    "not-a-cursor",
    "",
    encode_cursor(-1),
    # Base64 of "page:3": a valid encoding with the wrong prefix.
    "cGFnZToz",
    # Base64 of "offset:x".
    "b2Zmc2V0Ong=",
]


@pytest.mark.parametrize("cursor", INVALID_CURSORS)
@pytest.mark.parametrize("argument", ["after", "before"])
async def test_paging_invalid_cursor(as_user: Any, argument: str, cursor: str) -> None:
    user = await as_user(COORDINATOR_EMAIL)
    size = "first" if argument == "after" else "last"
    body = await user.post(PROJECTS_QUERY, {size: 5, argument: cursor})
    assert "errors" in body, body
    assert error_codes(body) == ["BAD_REQUEST"]
    assert argument in body["errors"][0]["message"]


@pytest.mark.parametrize(
    "variables",
    [
        {"first": MAX_PAGE_SIZE + 1},
        {"first": 1000},
        {"first": -1},
        {"last": 1000},
        {"last": -1},
    ],
)
async def test_paging_size_out_of_range(
    as_user: Any, variables: dict[str, int]
) -> None:
    user = await as_user(COORDINATOR_EMAIL)
    body = await user.post(PROJECTS_QUERY, variables)
    assert "errors" in body, body
    assert error_codes(body) == ["BAD_REQUEST"]
    assert str(MAX_PAGE_SIZE) in body["errors"][0]["message"]


async def test_paging_max_page_size_allowed(as_user: Any) -> None:
    user = await as_user(COORDINATOR_EMAIL)
    body = await user.post(PROJECTS_QUERY, {"first": MAX_PAGE_SIZE})
    assert "errors" not in body, body
