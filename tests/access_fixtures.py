"""Projects in three positions relative to the demo users, for access tests.

``own``: Groningen, authority Gemeente Wierumerwold, contractor Bouwbedrijf
Kwelderzand, intermediary Werkbrug Noord; every demo user of the matrix is a
party or works in its region. ``other_org``: Groningen, other authority and
contractor. ``other_region``: Friesland.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.domain.access import ProjectParties, Viewer
from srm.domain.enums import (
    AgreementType,
    ContractType,
    EducationLevel,
    Role,
    TargetGroup,
)
from srm.models import (
    BuildingBlock,
    Organisation,
    Policy,
    Project,
    Region,
    Residence,
    User,
)
from srm.services import accountability
from tests.conftest import (
    ACCOUNT_MANAGER_EMAIL,
    AUTHORITY_EMAIL,
    CONTRACTOR_EMAIL,
    COORDINATOR_EMAIL,
    INTERMEDIARY_EMAIL,
    TEST_SECRET,
)

ROLE_EMAILS = {
    Role.CONTRACTING_AUTHORITY: AUTHORITY_EMAIL,
    Role.CONTRACTOR: CONTRACTOR_EMAIL,
    Role.INTERMEDIARY: INTERMEDIARY_EMAIL,
    Role.ACCOUNT_MANAGER: ACCOUNT_MANAGER_EMAIL,
    Role.COORDINATOR: COORDINATOR_EMAIL,
}

PLACEMENTS = {
    "own": (
        "groningen",
        "Gemeente Wierumerwold",
        "Bouwbedrijf Kwelderzand B.V.",
        "Werkbrug Noord",
    ),
    "other_org": (
        "groningen",
        "Waterschap Hunzedelta",
        "Groenwerk Zuidlaarder Veld B.V.",
        None,
    ),
    "other_region": (
        "friesland",
        "Gemeente Fjildmar",
        "Schoonmaakdiensten Wadkust B.V.",
        "Leerwerkplein Fryslân",
    ),
}


@dataclass
class PlacedProject:
    id: uuid.UUID
    parties: ProjectParties
    contractor_viewer: Viewer


async def viewer_of(session: AsyncSession, email: str) -> Viewer:
    user, organisation = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(User, Organisation)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(User.email == email)
        )
    ).one()
    return Viewer(user.id, organisation.id, user.role, organisation.region_id)


async def place_project(
    sessionmaker: async_sessionmaker[AsyncSession], placement: str
) -> PlacedProject:
    region_code, authority_name, contractor_name, intermediary_name = PLACEMENTS[
        placement
    ]
    async with sessionmaker.begin() as session:
        organisations = {
            o.name: o
            for o in (await session.exec(sa.select(Organisation))).scalars().all()  # type: ignore[call-overload]
        }
        region = (
            await session.exec(sa.select(Region).where(Region.code == region_code))  # type: ignore[call-overload]
        ).scalar_one()
        policy = (
            await session.exec(sa.select(Policy).where(Policy.region_id == region.id))  # type: ignore[call-overload]
        ).scalar_one()
        contractor = organisations[contractor_name]
        project = Project(
            name=f"Toegangstest {placement} {uuid.uuid4().hex[:6]}",
            contracting_authority_id=organisations[authority_name].id,
            contractor_id=contractor.id,
            intermediary_id=organisations[intermediary_name].id
            if intermediary_name
            else None,
            region_id=region.id,
            policy_id=policy.id,
            start_date=date(2025, 1, 1),
            end_date=date(2027, 12, 31),
            agreement_type=AgreementType.OBLIGATION,
            obligation_amount=Decimal("50000.00"),
        )
        session.add(project)
        await session.flush()
        contractor_user = (
            await session.exec(
                sa.select(User).where(User.organisation_id == contractor.id).limit(1)
            )  # type: ignore[call-overload]
        ).scalar_one()
        return PlacedProject(
            id=project.id,
            parties=ProjectParties(
                project.contracting_authority_id,
                project.contractor_id,
                project.intermediary_id,
                project.region_id,
            ),
            contractor_viewer=Viewer(
                contractor_user.id, contractor.id, Role.CONTRACTOR, None
            ),
        )


async def add_entries(
    sessionmaker: async_sessionmaker[AsyncSession],
    project: PlacedProject,
    *,
    first_name: str = "Matrix",
    last_name: str = "Toegangsproef",
    date_of_birth: date = date(1985, 3, 3),
    residence_name: str = "Appingedam",
    hourly_wage: Decimal = Decimal("16.00"),
    candidate_note: str | None = None,
    cost_note: str | None = None,
) -> tuple[uuid.UUID, uuid.UUID]:
    """Add one candidate and one cost as the project's contractor; return their ids."""
    async with sessionmaker.begin() as session:
        residence = (
            await session.exec(  # type: ignore[call-overload]
                sa.select(Residence).where(Residence.name == residence_name).limit(1)
            )
        ).scalar_one()
        project_row = await session.get(Project, project.id)
        assert project_row is not None
        block = (
            await session.exec(  # type: ignore[call-overload]
                sa.select(BuildingBlock)
                .where(BuildingBlock.policy_id == project_row.policy_id)
                .limit(1)
            )
        ).scalar_one()
        candidate, _ = await accountability.add_candidate(
            session,
            project.contractor_viewer,
            project_id=project.id,
            fields=accountability.CandidateFields(
                first_name=first_name,
                name_infix=None,
                last_name=last_name,
                date_of_birth=date_of_birth,
                residence_id=residence.id,
                job_title="Tester",
                education_level=EducationLevel.MBO_2,
                building_block_id=block.id,
                bonus_codes=[],
                target_group=TargetGroup.OTHER,
                contract_type=ContractType.TEMPORARY,
                start_date=date(2025, 2, 1),
                end_date=date(2025, 7, 31),
                hours_per_week=Decimal(20),
                hourly_wage=hourly_wage,
                note=candidate_note,
            ),
            declared_truthful=True,
            secret=TEST_SECRET.encode(),
        )
        cost, _, _ = await accountability.add_cost(
            session,
            project.contractor_viewer,
            project_id=project.id,
            description="Werkkleding",
            entry_date=date(2025, 3, 1),
            category_id=None,
            category_given=False,
            amount=Decimal("120.00"),
            hours=None,
            declared_truthful=True,
            note=cost_note,
        )
        return candidate.id, cost.id
