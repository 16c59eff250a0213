"""Resolvers of reference data: residences, regions, policies, organisations and node."""

from __future__ import annotations

import strawberry
from sqlalchemy import func, select
from sqlmodel import col
from strawberry.types import Info

from srm.db import escape_like
from srm.domain.enums import OrganisationKind as DomainOrganisationKind
from srm.models import Candidate as CandidateRow
from srm.models import Cost as CostRow
from srm.models import Organisation as OrganisationRow
from srm.models import Policy as PolicyRow
from srm.models import Region as RegionRow
from srm.resolvers.common import context_of, page_window, require_viewer
from srm.resolvers.projects import load_project
from srm.schema.errors import bad_request
from srm.schema.relay import (
    Connection,
    Node,
    build_connection,
    decode_id,
    from_global_id,
)
from srm.schema.types import (
    Candidate,
    Cost,
    Organisation,
    OrganisationKind,
    Policy,
    Region,
    Residence,
    load_policy,
)
from srm.services.reference import search_residences

MAX_RESIDENCE_RESULTS = 50


async def resolve_residences(
    info: Info, search: str, first: int | None = None
) -> list[Residence]:
    context = context_of(info)
    require_viewer(info)
    limit = 20 if first is None else first
    if not 0 <= limit <= MAX_RESIDENCE_RESULTS:
        raise bad_request(
            f"first must be between 0 and {MAX_RESIDENCE_RESULTS}, got {limit}."
        )
    async with context.sessionmaker() as session:
        rows = await search_residences(session, search, first=limit)
    return [
        Residence.from_rows(residence, municipality) for residence, municipality in rows
    ]


async def resolve_regions(info: Info) -> list[Region]:
    context = context_of(info)
    require_viewer(info)
    async with context.sessionmaker() as session:
        rows = (
            (await session.exec(select(RegionRow).order_by(RegionRow.name)))  # type: ignore[call-overload]
            .scalars()
            .all()
        )
    return [Region.from_row(row) for row in rows]


async def resolve_policies(
    info: Info, region: strawberry.ID | None = None
) -> list[Policy]:
    """Return the policies of a region and the national published tables."""
    context = context_of(info)
    require_viewer(info)
    statement = select(PolicyRow).order_by(PolicyRow.code)
    if region is not None:
        region_id = decode_id(region, "Region")
        if region_id is None:
            return []
        statement = statement.where(
            (col(PolicyRow.region_id) == region_id) | col(PolicyRow.region_id).is_(None)
        )
    async with context.sessionmaker() as session:
        rows = (await session.exec(statement)).scalars().all()  # type: ignore[call-overload]
    return [Policy.from_row(row) for row in rows]


async def resolve_organisations(
    info: Info,
    kind: OrganisationKind | None = None,  # type: ignore[valid-type]
    search: str | None = None,
    first: int | None = None,
    after: str | None = None,
) -> Connection[Organisation]:
    """List organisations by name, e.g. to pick the contractor of a new project."""
    context = context_of(info)
    require_viewer(info)
    offset, limit = page_window(first, after)
    where = []
    if kind is not None:
        where.append(OrganisationRow.kind == DomainOrganisationKind(kind.value))
    if search and search.strip():
        escaped = escape_like(search.strip())
        where.append(OrganisationRow.name.ilike(f"%{escaped}%", escape="\\"))  # type: ignore[attr-defined]
    async with context.sessionmaker() as session:
        rows = (
            (
                await session.exec(  # type: ignore[call-overload]
                    select(OrganisationRow)
                    .where(*where)
                    .order_by(func.lower(OrganisationRow.name), col(OrganisationRow.id))
                    .offset(offset)
                    .limit(limit)
                )
            )
            .scalars()
            .all()
        )
        total = (
            await session.exec(
                select(func.count()).select_from(OrganisationRow).where(*where)
            )  # type: ignore[call-overload]
        ).scalar_one()
    return build_connection(
        [Organisation.from_row(r) for r in rows], offset=offset, total=total
    )


async def resolve_node(info: Info, id: strawberry.ID) -> Node | None:
    """Return any object by global id, under the same access rules as its own query."""
    context = context_of(info)
    viewer = require_viewer(info)
    decoded = from_global_id(id)
    if decoded is None:
        return None
    type_name, object_id = decoded
    if type_name == "Project":
        return await load_project(info, object_id)
    if type_name == "Organisation":
        row = await context.loaders.organisation.load(object_id)
        return Organisation.from_row(row) if row else None
    if type_name == "Policy":
        policy_row = await context.loaders.policy.load(object_id)
        return await load_policy(info, object_id) if policy_row else None
    if type_name in ("Cost", "Candidate"):
        model = CostRow if type_name == "Cost" else CandidateRow
        async with context.sessionmaker() as session:
            entry: CostRow | CandidateRow | None = await session.get(model, object_id)
        if entry is None or await load_project(info, entry.project_id) is None:
            return None
        if isinstance(entry, CostRow):
            return Cost.from_row(entry, viewer.role)
        return Candidate.from_row(entry, viewer.role, context.today)
    return None
