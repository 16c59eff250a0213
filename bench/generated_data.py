"""Generated benchmark data: invented projects, candidates and costs in one region.

The rows go into the tables with bulk Core inserts, because the services
send about eight statements per candidate. Each candidate gets the valuation
terms and person key that ``srm.services.accountability.add_candidate``
stores, computed with the same functions (``srm.domain.valuation`` and
``person_key``).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine
from sqlmodel import SQLModel

from srm.demo import (
    FIRST_NAMES,
    INFIXES,
    JOB_TITLES,
    LAST_NAMES,
    PROJECT_OBJECTS,
    PROJECT_WORDS,
)
from srm.domain import valuation
from srm.domain.enums import (
    AgreementType,
    BonusKind,
    ContractType,
    CostValuation,
    EducationLevel,
    OrganisationKind,
    ProjectStatus,
    TargetGroup,
)
from srm.models import (
    Bonus,
    BuildingBlock,
    Candidate,
    Cost,
    CostCategory,
    Municipality,
    Organisation,
    Policy,
    Project,
    Region,
    Residence,
    Session,
    User,
)
from srm.services.accountability import person_key

logger = logging.getLogger("bench.generated_data")

REGION_CODE = "groningen"
NATIONAL_POLICY_CODE = "utrecht-2024"
INSERT_BATCH_ROWS = 2000


def table_of(model: type[SQLModel]) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined,no-any-return]


BLOCK = table_of(BuildingBlock)
BONUS = table_of(Bonus)
CANDIDATE = table_of(Candidate)
COST = table_of(Cost)
COST_CATEGORY = table_of(CostCategory)
MUNICIPALITY = table_of(Municipality)
ORGANISATION = table_of(Organisation)
POLICY = table_of(Policy)
PROJECT = table_of(Project)
REGION = table_of(Region)
RESIDENCE = table_of(Residence)
SESSION = table_of(Session)
USER = table_of(User)


@dataclass(frozen=True)
class Scale:
    """Amount of generated data, on top of the demo data set."""

    projects: int
    candidates_per_project: int
    costs_per_project: int
    large_project_candidates: int

    @property
    def candidates(self) -> int:
        return (
            self.large_project_candidates
            + (self.projects - 1) * self.candidates_per_project
        )

    @property
    def costs(self) -> int:
        return self.projects * self.costs_per_project


def random_uuid(rng: random.Random) -> uuid.UUID:
    """Return a version 4 UUID drawn from ``rng``, so a seed repeats the same ids."""
    return uuid.UUID(int=rng.getrandbits(128), version=4)


# --- reference rows the generator draws from -------------------------------------


@dataclass(frozen=True)
class PolicyTerms:
    """A policy with the parts that candidate and cost valuation need."""

    id: uuid.UUID
    fulltime_hours_per_week: Decimal
    blocks: list[sa.Row[Any]]
    bonuses: list[valuation.BonusTerms]
    choosable_bonus_codes: list[str]
    categories: list[sa.Row[Any]]


@dataclass(frozen=True)
class Party:
    """An organisation and the user who declares its entries truthful."""

    organisation_id: uuid.UUID
    user_id: uuid.UUID | None


@dataclass
class RegionData:
    region_id: uuid.UUID
    authorities: list[Party]
    contractors: list[Party]
    intermediaries: list[Party]
    regional_policy: PolicyTerms
    national_policy: PolicyTerms | None
    residences: list[sa.Row[Any]] = field(default_factory=list)


async def load_policy_terms(connection: AsyncConnection, policy: Any) -> PolicyTerms:
    blocks = (
        await connection.execute(sa.select(BLOCK).where(BLOCK.c.policy_id == policy.id))
    ).all()
    bonuses = (
        await connection.execute(sa.select(BONUS).where(BONUS.c.policy_id == policy.id))
    ).all()
    categories = (
        await connection.execute(
            sa.select(COST_CATEGORY).where(COST_CATEGORY.c.policy_id == policy.id)
        )
    ).all()
    return PolicyTerms(
        id=policy.id,
        fulltime_hours_per_week=policy.fulltime_hours_per_week,
        blocks=list(blocks),
        bonuses=[
            valuation.BonusTerms(
                code=bonus.code,
                kind=BonusKind(bonus.kind).value.lower(),
                yearly_value=bonus.yearly_value,
                min_age=bonus.min_age,
            )
            for bonus in bonuses
        ],
        choosable_bonus_codes=[
            bonus.code
            for bonus in bonuses
            if BonusKind(bonus.kind) == BonusKind.YEARLY and bonus.min_age is None
        ],
        categories=list(categories),
    )


async def load_parties(
    connection: AsyncConnection, kind: OrganisationKind, region_id: uuid.UUID | None
) -> list[Party]:
    """Return the organisations of a kind with the first of their users by email."""
    first_user = (
        sa.select(USER.c.id)
        .where(USER.c.organisation_id == ORGANISATION.c.id)
        .order_by(USER.c.email)
        .limit(1)
        .scalar_subquery()
    )
    statement = (
        sa.select(ORGANISATION.c.id, first_user)
        .where(ORGANISATION.c.kind == kind)
        .order_by(ORGANISATION.c.kvk_number)
    )
    if region_id is not None:
        statement = statement.where(ORGANISATION.c.region_id == region_id)
    rows = (await connection.execute(statement)).all()
    return [Party(organisation_id=row[0], user_id=row[1]) for row in rows]


async def load_region_data(connection: AsyncConnection) -> RegionData:
    region_id = (
        await connection.execute(
            sa.select(REGION.c.id).where(REGION.c.code == REGION_CODE)
        )
    ).scalar_one()
    regional = (
        await connection.execute(
            sa.select(POLICY)
            .where(POLICY.c.region_id == region_id)
            .order_by(POLICY.c.created_at.desc(), POLICY.c.code)
            .limit(1)
        )
    ).one()
    national = (
        await connection.execute(
            sa.select(POLICY).where(POLICY.c.code == NATIONAL_POLICY_CODE)
        )
    ).one_or_none()
    residences = (
        await connection.execute(
            sa.select(RESIDENCE)
            .join(MUNICIPALITY, MUNICIPALITY.c.id == RESIDENCE.c.municipality_id)
            .where(MUNICIPALITY.c.region_id == region_id)
            .order_by(RESIDENCE.c.name)
        )
    ).all()
    data = RegionData(
        region_id=region_id,
        authorities=await load_parties(
            connection, OrganisationKind.CONTRACTING_AUTHORITY, region_id
        ),
        contractors=await load_parties(connection, OrganisationKind.CONTRACTOR, None),
        intermediaries=await load_parties(
            connection, OrganisationKind.INTERMEDIARY, None
        ),
        regional_policy=await load_policy_terms(connection, regional),
        national_policy=await load_policy_terms(connection, national)
        if national is not None
        else None,
        residences=list(residences),
    )
    if not data.authorities or not data.contractors or not data.residences:
        raise RuntimeError(
            f"The demo data set has no contracting authority, contractor or residence "
            f"for region {REGION_CODE!r}; check srm.demo and the bundled reference data."
        )
    if not data.regional_policy.blocks:
        raise RuntimeError(
            f"The policy of region {REGION_CODE!r} has no building blocks to value "
            "candidates with."
        )
    return data


# --- generated rows ----------------------------------------------------------------


@dataclass
class GeneratedData:
    projects: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    costs: list[dict[str, Any]] = field(default_factory=list)
    large_project_id: uuid.UUID | None = None


def project_row(
    rng: random.Random, number: int, region: RegionData, today: date, now: datetime
) -> tuple[dict[str, Any], PolicyTerms, Party]:
    """Invent one project. Number 0 is the large project and stays ACTIVE."""
    authority = region.authorities[number % len(region.authorities)]
    contractor = region.contractors[number % len(region.contractors)]
    intermediary = (
        region.intermediaries[number % len(region.intermediaries)]
        if region.intermediaries and number % 4 == 0
        else None
    )
    policy = region.regional_policy
    if region.national_policy is not None and number % 7 == 6:
        policy = region.national_policy
    agreement = [
        AgreementType.OBLIGATION,
        AgreementType.FRAMEWORK,
        AgreementType.BEST_EFFORT,
    ][number % 3]
    start = today - timedelta(days=rng.randint(60, 900))
    end = start + timedelta(days=rng.randint(240, 1200))
    status = ProjectStatus.ACTIVE
    if end < today and number != 0:
        status = rng.choice(list(ProjectStatus))
    amount = Decimal(rng.randrange(20_000, 400_000, 500)).quantize(valuation.CENT)
    obligation: Decimal | None = amount
    if agreement == AgreementType.BEST_EFFORT and number % 2:
        obligation = None
    fixed = agreement == AgreementType.FRAMEWORK and number % 2 == 0
    row = {
        "id": random_uuid(rng),
        "name": (
            f"{PROJECT_WORDS[number % len(PROJECT_WORDS)]} "
            f"{PROJECT_OBJECTS[number % len(PROJECT_OBJECTS)]} {number + 1}"
        ),
        "reference": f"BENCH-{number + 1:05d}",
        "contracting_authority_id": authority.organisation_id,
        "contractor_id": contractor.organisation_id,
        "intermediary_id": intermediary.organisation_id if intermediary else None,
        "region_id": region.region_id,
        "policy_id": policy.id,
        "start_date": start,
        "end_date": end,
        "agreement_type": agreement,
        "obligation_amount": obligation,
        "fixed_amount": (amount * Decimal("1.1")).quantize(valuation.CENT)
        if fixed
        else None,
        "fixed_on": start + timedelta(days=90) if fixed else None,
        "status": status,
        "created_by": None,
        "created_at": now,
    }
    return row, policy, contractor


def candidate_rows(
    rng: random.Random,
    project: dict[str, Any],
    policy: PolicyTerms,
    declarer: Party,
    region: RegionData,
    count: int,
    secret: bytes,
    now: datetime,
) -> list[dict[str, Any]]:
    """Invent ``count`` candidates of one project, valued like ``add_candidate`` does.

    Every person occurs once per project, so the exclusion constraint against
    overlapping periods of one person never fires.
    """
    project_start: date = project["start_date"]
    project_end: date = project["end_date"]
    used_keys: set[str] = set()
    rows: list[dict[str, Any]] = []
    while len(rows) < count:
        first_name = rng.choice(FIRST_NAMES)
        name_infix = rng.choice(INFIXES)
        last_name = rng.choice(LAST_NAMES)
        born = date(rng.randint(1962, 2006), rng.randint(1, 12), rng.randint(1, 28))
        key = person_key(
            secret, region.region_id, first_name, name_infix, last_name, born
        )
        if key in used_keys:
            continue
        used_keys.add(key)
        # Candidates may start up to 30 days before the project, as in the demo data.
        start = project_start + timedelta(
            days=rng.randint(-30, (project_end - project_start).days - 30)
        )
        end = min(project_end, valuation.add_months(start, rng.choice([3, 6, 12, 18])))
        block = rng.choice(policy.blocks)
        chosen = (
            [rng.choice(policy.choosable_bonus_codes)]
            if policy.choosable_bonus_codes and rng.random() < 0.2
            else []
        )
        hours = Decimal(rng.choice([16, 20, 24, 32, 36, 38]))
        terms = valuation.value_candidate(
            candidate_start=start,
            candidate_end=end,
            project_start=project_start,
            project_end=project_end,
            hours_per_week=hours,
            fulltime_hours_per_week=policy.fulltime_hours_per_week,
            block_yearly_value=block.yearly_value,
            max_months=block.max_months,
            bonuses=valuation.applicable_bonuses(policy.bonuses, chosen, born, start),
        )
        residence = rng.choice(region.residences)
        rows.append(
            {
                "id": random_uuid(rng),
                "project_id": project["id"],
                "first_name": first_name,
                "name_infix": name_infix,
                "last_name": last_name,
                "date_of_birth": born,
                "residence_id": residence.id,
                "municipality_id": residence.municipality_id,
                "job_title": rng.choice(JOB_TITLES),
                "education_level": rng.choice(list(EducationLevel)),
                "building_block_id": block.id,
                "bonus_codes": chosen,
                "target_group": rng.choice(list(TargetGroup)),
                "contract_type": rng.choice(list(ContractType)),
                "start_date": start,
                "end_date": end,
                "hours_per_week": hours,
                "hourly_wage": Decimal(rng.randrange(1400, 2200)) / 100,
                "note": None,
                "person_key": key,
                "first_day": terms.first_day,
                "last_day": terms.last_day,
                "yearly_value": terms.yearly_value,
                "hours_counted": terms.hours_counted,
                "fulltime_hours": terms.fulltime_hours,
                "value_forecast": terms.value(),
                "declared_truthful_by": declarer.user_id,
                "declared_truthful_at": now,
                "validated_by": None,
                "validated_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def cost_rows(
    rng: random.Random,
    project: dict[str, Any],
    policy: PolicyTerms,
    declarer: Party,
    count: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """Invent ``count`` costs of one project.

    A cost in a category valued per hour gets hours, and its amount is hours
    times the category's rate.
    """
    project_days = (project["end_date"] - project["start_date"]).days
    rows: list[dict[str, Any]] = []
    for _ in range(count):
        category = (
            rng.choice(policy.categories)
            if policy.categories and rng.random() < 0.6
            else None
        )
        hours: Decimal | None = None
        amount: Decimal
        if category is not None and category.valuation == CostValuation.HOURLY_RATE:
            assert category.hourly_rate is not None
            hours = Decimal(rng.randint(2, 40))
            amount = valuation.cost_amount_for_hours(hours, category.hourly_rate)
        else:
            amount = Decimal(rng.randrange(10_000, 500_000)) / 100
        rows.append(
            {
                "id": random_uuid(rng),
                "project_id": project["id"],
                "description": rng.choice(
                    ["Opleiding VCA", "Werkkleding", "Inkoop bij sociale onderneming"]
                ),
                "amount": amount,
                "hours": hours,
                "date": project["start_date"]
                + timedelta(days=rng.randint(0, project_days)),
                "category_id": category.id if category is not None else None,
                "note": None,
                "declared_truthful_by": declarer.user_id,
                "declared_truthful_at": now,
                "validated_by": None,
                "validated_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
    return rows


def generate_rows(
    scale: Scale, region: RegionData, secret: bytes, seed: int, today: date
) -> GeneratedData:
    # A seeded, non-cryptographic generator keeps the invented data repeatable.
    rng = random.Random(seed)  # noqa: S311
    now = datetime.now(tz=UTC)
    data = GeneratedData()
    for number in range(scale.projects):
        project, policy, contractor = project_row(rng, number, region, today, now)
        if contractor.user_id is None:
            raise RuntimeError(
                f"Contractor {contractor.organisation_id} has no user to declare "
                "entries with; give every demo contractor a user in srm.demo."
            )
        candidate_count = (
            scale.large_project_candidates
            if number == 0
            else scale.candidates_per_project
        )
        data.projects.append(project)
        data.candidates.extend(
            candidate_rows(
                rng,
                project,
                policy,
                contractor,
                region,
                candidate_count,
                secret,
                now,
            )
        )
        data.costs.extend(
            cost_rows(rng, project, policy, contractor, scale.costs_per_project, now)
        )
    data.large_project_id = data.projects[0]["id"]
    return data


async def insert_in_batches(
    connection: AsyncConnection, table: sa.Table, rows: list[dict[str, Any]]
) -> None:
    for start in range(0, len(rows), INSERT_BATCH_ROWS):
        await connection.execute(
            sa.insert(table), rows[start : start + INSERT_BATCH_ROWS]
        )


async def load_generated_data(
    database_url: str, scale: Scale, secret: bytes, seed: int
) -> uuid.UUID:
    """Insert the generated rows, refresh planner statistics and return the large project's id.

    The rows bypass the services, so they get no audit trail entries.
    """
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            region = await load_region_data(connection)
            started = time.perf_counter()
            data = generate_rows(
                scale, region, secret, seed, valuation.today_in_amsterdam()
            )
            logger.info(
                "generated %d projects, %d candidates, %d costs in %.1f s",
                len(data.projects),
                len(data.candidates),
                len(data.costs),
                time.perf_counter() - started,
            )
            started = time.perf_counter()
            await insert_in_batches(connection, PROJECT, data.projects)
            await insert_in_batches(connection, CANDIDATE, data.candidates)
            await insert_in_batches(connection, COST, data.costs)
            logger.info("inserted in %.1f s", time.perf_counter() - started)
        # A freshly loaded table has no statistics until autovacuum processes it,
        # so VACUUM ANALYZE gives the planner what a database in steady use has.
        autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        async with autocommit.connect() as connection:
            for table in ("project", "candidate", "cost"):
                await connection.execute(sa.text(f"VACUUM ANALYZE {table}"))
    finally:
        await engine.dispose()
    assert data.large_project_id is not None
    return data.large_project_id


async def count_region_rows(database_url: str) -> dict[str, int]:
    """Count the projects, candidates and costs of the region, demo data included."""
    engine = create_async_engine(database_url)
    region_projects = (
        sa.select(PROJECT.c.id)
        .join(REGION, REGION.c.id == PROJECT.c.region_id)
        .where(REGION.c.code == REGION_CODE)
    )
    try:
        async with engine.connect() as connection:
            counts = {
                "projects": sa.select(sa.func.count()).select_from(
                    region_projects.subquery()
                ),
                "candidates": sa.select(sa.func.count()).where(
                    CANDIDATE.c.project_id.in_(region_projects)
                ),
                "costs": sa.select(sa.func.count()).where(
                    COST.c.project_id.in_(region_projects)
                ),
            }
            return {
                name: (await connection.execute(statement)).scalar_one()
                for name, statement in counts.items()
            }
    finally:
        await engine.dispose()
