"""The SQL progress formula of ``srm.services.progress`` against ``srm.domain.valuation``.

Project lists compute SR actual, SR forecast and the percentages in SQL so
that they can sort on them. Here every demo project's figures are computed
again in Python from the stored valuation terms of its candidates and from
its costs, and both must agree to the cent and to the tenth of a percent.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.domain.access import Viewer
from srm.domain.enums import Role
from srm.domain.valuation import (
    CandidateValuation,
    CostEntry,
    Progress,
    effective_obligation,
    project_progress,
    today_in_amsterdam,
)
from srm.models import Candidate, Cost, Organisation, Project, User
from srm.schema.relay import MAX_PAGE_SIZE, from_global_id
from srm.services.projects import ProjectFilterValues, list_projects

if TYPE_CHECKING:
    pass

# The conftest.py of this folder gives each module a database of its own with only the demo data, because
# other modules add projects to the shared test database and the checks here
# expect the 30 demo projects.


PROGRESS_QUERY = """
query Progress($completed: Boolean!, $first: Int!) {
  projects(filter: { completed: $completed }, first: $first) {
    totalCount
    edges {
      node {
        id
        name
        progress { actual forecast actualPercentage forecastPercentage }
        candidates(first: 100) {
          totalCount
          edges { node { id valueActual valueForecast } }
        }
      }
    }
  }
}
"""


@dataclass
class StoredProject:
    """A project with the entries its progress is computed from."""

    row: Project
    candidates: dict[uuid.UUID, CandidateValuation]
    costs: list[CostEntry]

    @property
    def obligation(self) -> Decimal | None:
        return effective_obligation(
            self.row.agreement_type.value,
            self.row.obligation_amount,
            self.row.fixed_amount,
        )

    def progress(self, today: date) -> Progress:
        return project_progress(
            self.candidates.values(), self.costs, self.obligation, today
        )


async def load_stored_projects(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> dict[uuid.UUID, StoredProject]:
    """Read every project, its candidates' valuation terms and its costs."""
    async with sessionmaker() as session:
        projects = (await session.exec(sa.select(Project))).scalars().all()  # type: ignore[call-overload]
        candidates = (await session.exec(sa.select(Candidate))).scalars().all()  # type: ignore[call-overload]
        costs = (await session.exec(sa.select(Cost))).scalars().all()  # type: ignore[call-overload]
    terms: dict[uuid.UUID, dict[uuid.UUID, CandidateValuation]] = defaultdict(dict)
    for candidate in candidates:
        terms[candidate.project_id][candidate.id] = CandidateValuation(
            first_day=candidate.first_day,
            last_day=candidate.last_day,
            yearly_value=candidate.yearly_value,
            hours_counted=candidate.hours_counted,
            fulltime_hours=candidate.fulltime_hours,
        )
    entries: dict[uuid.UUID, list[CostEntry]] = defaultdict(list)
    for cost in costs:
        entries[cost.project_id].append(CostEntry(date=cost.date, amount=cost.amount))
    return {
        project.id: StoredProject(
            row=project, candidates=terms[project.id], costs=entries[project.id]
        )
        for project in projects
    }


async def coordinator_emails(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[str]:
    """Return the email of one coordinator per region. Together they see every project."""
    async with sessionmaker() as session:
        rows = (
            await session.exec(  # type: ignore[call-overload]
                sa.select(User.email, Organisation.region_id)  # type: ignore[call-overload]
                .join(Organisation, Organisation.id == User.organisation_id)
                .where(User.role == Role.COORDINATOR)
                .order_by(User.email)
            )
        ).all()
    first_per_region: dict[uuid.UUID, str] = {}
    for email, region_id in rows:
        first_per_region.setdefault(region_id, email)
    return list(first_per_region.values())


def decoded(global_id: str, type_name: str) -> uuid.UUID:
    result = from_global_id(global_id)
    assert result is not None, global_id
    assert result[0] == type_name, global_id
    return result[1]


def text_or_none(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


async def fetch_api_projects(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> dict[uuid.UUID, dict[str, Any]]:
    """Fetch every project, open and completed, through the coordinators of all regions."""
    nodes: dict[uuid.UUID, dict[str, Any]] = {}
    for email in await coordinator_emails(sessionmaker):
        user = await as_user(email)
        for completed in (False, True):
            data = await user.data(
                PROGRESS_QUERY, {"completed": completed, "first": MAX_PAGE_SIZE}
            )
            connection = data["projects"]
            assert connection["totalCount"] == len(connection["edges"]), email
            for edge in connection["edges"]:
                nodes[decoded(edge["node"]["id"], "Project")] = edge["node"]
    return nodes


async def test_progress_matches_domain(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    today = today_in_amsterdam()
    stored = await load_stored_projects(sessionmaker)
    nodes = await fetch_api_projects(as_user, sessionmaker)
    if today_in_amsterdam() != today:
        pytest.skip("the date in Amsterdam changed while the test ran")

    assert set(nodes) == set(stored), "the coordinators together see every project"
    for project_id, node in nodes.items():
        expected = stored[project_id].progress(today)
        progress = node["progress"]
        label = f"{node['name']} ({project_id})"
        assert Decimal(progress["actual"]) == expected.actual, label
        assert Decimal(progress["forecast"]) == expected.forecast, label
        assert progress["actualPercentage"] == text_or_none(
            expected.actual_percentage
        ), label
        assert progress["forecastPercentage"] == text_or_none(
            expected.forecast_percentage
        ), label
        # Money is sent with exactly two decimals.
        assert progress["actual"] == str(expected.actual), label
        assert progress["forecast"] == str(expected.forecast), label


async def test_progress_data_not_trivial(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The demo data must have the cases the comparison is meant to cover."""
    today = today_in_amsterdam()
    stored = list((await load_stored_projects(sessionmaker)).values())
    progresses = [project.progress(today) for project in stored]

    assert len(stored) == 30
    assert any(p.actual_percentage is None for p in progresses)
    assert any(p.actual != p.forecast for p in progresses)
    assert any(p.actual > 0 for p in progresses)
    assert any(project.row.fixed_amount is not None for project in stored)
    # Candidates that start after today, so SR actual counts no days for them.
    assert any(
        terms.first_day > today
        for project in stored
        for terms in project.candidates.values()
    )
    assert any(cost.date > today for project in stored for cost in project.costs)


async def test_candidate_values_match_domain(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    today = today_in_amsterdam()
    stored = await load_stored_projects(sessionmaker)
    nodes = await fetch_api_projects(as_user, sessionmaker)
    if today_in_amsterdam() != today:
        pytest.skip("the date in Amsterdam changed while the test ran")

    checked = 0
    for project_id, node in nodes.items():
        connection = node["candidates"]
        terms = stored[project_id].candidates
        assert connection["totalCount"] == len(terms), node["name"]
        assert len(connection["edges"]) == len(terms), node["name"]
        for edge in connection["edges"]:
            candidate_id = decoded(edge["node"]["id"], "Candidate")
            valuation = terms[candidate_id]
            label = f"candidate {candidate_id} of {node['name']}"
            assert edge["node"]["valueActual"] == str(valuation.value(today)), label
            assert edge["node"]["valueForecast"] == str(valuation.value()), label
            checked += 1
    assert checked > 100


async def test_candidate_values_sum_to_progress(
    as_user: Any, sessionmaker: async_sessionmaker[AsyncSession]
) -> None:
    """SR actual is the candidates' valueActual plus the costs up to today."""
    today = today_in_amsterdam()
    stored = await load_stored_projects(sessionmaker)
    nodes = await fetch_api_projects(as_user, sessionmaker)
    if today_in_amsterdam() != today:
        pytest.skip("the date in Amsterdam changed while the test ran")

    for project_id, node in nodes.items():
        costs = stored[project_id].costs
        candidate_actual = sum(
            (Decimal(e["node"]["valueActual"]) for e in node["candidates"]["edges"]),
            Decimal(0),
        )
        candidate_forecast = sum(
            (Decimal(e["node"]["valueForecast"]) for e in node["candidates"]["edges"]),
            Decimal(0),
        )
        cost_actual = sum((c.amount for c in costs if c.date <= today), Decimal(0))
        cost_forecast = sum((c.amount for c in costs), Decimal(0))
        progress = node["progress"]
        assert Decimal(progress["actual"]) == candidate_actual + cost_actual
        assert Decimal(progress["forecast"]) == candidate_forecast + cost_forecast


def boundary_dates(stored: dict[uuid.UUID, StoredProject]) -> list[date]:
    """Pick dates on which a candidate period or a cost starts or ends, and the day either side.

    These are the days where ``<`` and ``<=`` in the formula differ.
    """
    days: set[date] = set()
    for project in stored.values():
        days.update(cost.date for cost in project.costs)
        for terms in project.candidates.values():
            days.update((terms.first_day, terms.last_day))
    ordered = sorted(days)
    # About a dozen spread over the whole range keeps the test fast.
    step = max(1, len(ordered) // 12)
    picked = ordered[::step]
    edges = [ordered[0] - timedelta(days=1), ordered[-1] + timedelta(days=1)]
    around = [d + timedelta(days=shift) for d in picked[:3] for shift in (-1, 1)]
    return sorted(set(picked + edges + around))


async def test_progress_sql_on_boundary_days(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    """The SQL figures agree with Python for many values of "today", not only the real one."""
    stored = await load_stored_projects(sessionmaker)
    region_ids = {project.row.region_id for project in stored.values()}
    # A regional viewer per region sees that region's projects, open or completed.
    viewers = [
        Viewer(
            user_id=uuid.uuid4(),
            organisation_id=uuid.uuid4(),
            role=Role.COORDINATOR,
            region_id=region_id,
        )
        for region_id in region_ids
    ]
    days = boundary_dates(stored)
    assert len(days) >= 10

    for today in days:
        seen: set[uuid.UUID] = set()
        async with sessionmaker() as session:
            for viewer in viewers:
                for completed in (False, True):
                    page = await list_projects(
                        session,
                        viewer,
                        filters=ProjectFilterValues(completed=completed),
                        order=[],
                        offset=0,
                        limit=MAX_PAGE_SIZE,
                        today=today,
                    )
                    for row in page.rows:
                        expected = stored[row["id"]].progress(today)
                        label = f"{row['name']} ({row['id']}) on {today}"
                        assert row["progress_actual"] == expected.actual, label
                        assert row["progress_forecast"] == expected.forecast, label
                        assert (
                            row["progress_actual_percentage"]
                            == expected.actual_percentage
                        ), label
                        assert (
                            row["progress_forecast_percentage"]
                            == expected.forecast_percentage
                        ), label
                        seen.add(row["id"])
        assert seen == set(stored), today
