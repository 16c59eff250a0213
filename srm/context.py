"""Per-request context: the viewer, database access and DataLoaders."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession
from strawberry.dataloader import DataLoader

from srm.config import Settings
from srm.domain.access import Viewer
from srm.domain.valuation import today_in_amsterdam
from srm.models import (
    Bonus,
    BuildingBlock,
    Candidate,
    Cost,
    CostCategory,
    Municipality,
    Organisation,
    Policy,
    Region,
    Residence,
)
from srm.services.auth import AuthenticatedUser


@dataclass(frozen=True)
class EntryPageKey:
    project_id: uuid.UUID
    offset: int
    limit: int


@dataclass
class EntryPage:
    rows: list[Any]
    total: int


def _by_id_loader(
    sessionmaker: async_sessionmaker[AsyncSession], model: type[SQLModel]
) -> DataLoader[uuid.UUID, Any]:
    async def load(ids: Sequence[uuid.UUID]) -> list[Any]:
        async with sessionmaker() as session:
            rows = (
                (
                    await session.exec(sa.select(model).where(model.id.in_(ids)))  # type: ignore[attr-defined,call-overload]
                )
                .scalars()
                .all()
            )
        found = {row.id: row for row in rows}
        return [found.get(i) for i in ids]

    return DataLoader(load_fn=load)


def _by_parent_loader(
    sessionmaker: async_sessionmaker[AsyncSession],
    model: type[SQLModel],
    parent: str,
    order: Callable[[Any], Any],
) -> DataLoader[uuid.UUID, list[Any]]:
    async def load(ids: Sequence[uuid.UUID]) -> list[list[Any]]:
        column = getattr(model, parent)
        async with sessionmaker() as session:
            rows = (
                (
                    await session.exec(sa.select(model).where(column.in_(ids)))  # type: ignore[call-overload]
                )
                .scalars()
                .all()
            )
        grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
        for row in rows:
            grouped[getattr(row, parent)].append(row)
        return [sorted(grouped.get(i, []), key=order) for i in ids]

    return DataLoader(load_fn=load)


def _entry_page_loader(
    sessionmaker: async_sessionmaker[AsyncSession], model: type[Cost] | type[Candidate]
) -> DataLoader[EntryPageKey, EntryPage]:
    """Load pages of a project's entries; one statement per distinct page window."""

    async def load(keys: Sequence[EntryPageKey]) -> list[EntryPage]:
        windows: dict[tuple[int, int], list[uuid.UUID]] = defaultdict(list)
        for key in keys:
            windows[(key.offset, key.limit)].append(key.project_id)
        pages: dict[EntryPageKey, EntryPage] = {}
        table = model.__table__  # type: ignore[union-attr]
        order_column = table.c.date if model is Cost else table.c.start_date
        async with sessionmaker() as session:
            for (offset, limit), project_ids in windows.items():
                numbered = (
                    sa.select(
                        table,
                        sa.func.row_number()
                        .over(
                            partition_by=table.c.project_id,
                            order_by=(order_column, table.c.created_at, table.c.id),
                        )
                        .label("position"),
                        sa.func.count()
                        .over(partition_by=table.c.project_id)
                        .label("total"),
                    )
                    .where(table.c.project_id.in_(project_ids))
                    .subquery()
                )
                rows = (
                    (
                        await session.exec(  # type: ignore[call-overload]
                            sa.select(numbered)
                            .where(
                                numbered.c.position > offset,
                                numbered.c.position <= offset + limit,
                            )
                            .order_by(numbered.c.project_id, numbered.c.position)
                        )
                    )
                    .mappings()
                    .all()
                )
                totals = {project_id: 0 for project_id in project_ids}
                grouped: dict[uuid.UUID, list[Any]] = defaultdict(list)
                for row in rows:
                    grouped[row["project_id"]].append(model.model_validate(dict(row)))
                    totals[row["project_id"]] = row["total"]
                missing = [p for p in project_ids if totals[p] == 0]
                if missing:
                    # A page past the end has no rows to carry the total: count those apart.
                    counted = (
                        await session.exec(  # type: ignore[call-overload]
                            sa.select(table.c.project_id, sa.func.count())
                            .where(table.c.project_id.in_(missing))
                            .group_by(table.c.project_id)
                        )
                    ).all()
                    totals.update(dict(counted))
                for project_id in project_ids:
                    pages[EntryPageKey(project_id, offset, limit)] = EntryPage(
                        rows=grouped.get(project_id, []), total=totals[project_id]
                    )
        return [pages[key] for key in keys]

    return DataLoader(load_fn=load)


def _duplicate_loader(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> DataLoader[uuid.UUID, bool]:
    async def load(ids: Sequence[uuid.UUID]) -> list[bool]:
        from srm.services.accountability import possible_duplicates

        async with sessionmaker() as session:
            flagged = await possible_duplicates(session, list(ids))
        return [i in flagged for i in ids]

    return DataLoader(load_fn=load)


@dataclass
class Loaders:
    organisation: DataLoader[uuid.UUID, Organisation | None]
    region: DataLoader[uuid.UUID, Region | None]
    policy: DataLoader[uuid.UUID, Policy | None]
    municipality: DataLoader[uuid.UUID, Municipality | None]
    residence: DataLoader[uuid.UUID, Residence | None]
    building_block: DataLoader[uuid.UUID, BuildingBlock | None]
    cost_category: DataLoader[uuid.UUID, CostCategory | None]
    policy_blocks: DataLoader[uuid.UUID, list[BuildingBlock]]
    policy_bonuses: DataLoader[uuid.UUID, list[Bonus]]
    policy_categories: DataLoader[uuid.UUID, list[CostCategory]]
    project_costs: DataLoader[EntryPageKey, EntryPage]
    project_candidates: DataLoader[EntryPageKey, EntryPage]
    possible_duplicate: DataLoader[uuid.UUID, bool]


def create_loaders(sessionmaker: async_sessionmaker[AsyncSession]) -> Loaders:
    by_position: Callable[[Any], Any] = lambda row: (row.position, row.code)  # noqa: E731
    return Loaders(
        organisation=_by_id_loader(sessionmaker, Organisation),
        region=_by_id_loader(sessionmaker, Region),
        policy=_by_id_loader(sessionmaker, Policy),
        municipality=_by_id_loader(sessionmaker, Municipality),
        residence=_by_id_loader(sessionmaker, Residence),
        building_block=_by_id_loader(sessionmaker, BuildingBlock),
        cost_category=_by_id_loader(sessionmaker, CostCategory),
        policy_blocks=_by_parent_loader(
            sessionmaker, BuildingBlock, "policy_id", by_position
        ),
        policy_bonuses=_by_parent_loader(sessionmaker, Bonus, "policy_id", by_position),
        policy_categories=_by_parent_loader(
            sessionmaker, CostCategory, "policy_id", by_position
        ),
        project_costs=_entry_page_loader(sessionmaker, Cost),
        project_candidates=_entry_page_loader(sessionmaker, Candidate),
        possible_duplicate=_duplicate_loader(sessionmaker),
    )


@dataclass
class Context:
    """Per-request state that every resolver receives as ``info.context``."""

    settings: Settings
    sessionmaker: async_sessionmaker[AsyncSession]
    redis: Redis
    request_id: str
    client_address: str
    auth: AuthenticatedUser | None
    loaders: Loaders
    queue: Any = (
        None  # arq pool for jobs; None when Redis could not be reached at start
    )
    response: Any = (
        None  # Starlette response whose headers and cookies reach the client
    )
    today: date = field(default_factory=today_in_amsterdam)
    authentication_attempts: int = 0

    @property
    def viewer(self) -> Viewer | None:
        return self.auth.viewer if self.auth else None
