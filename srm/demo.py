"""Demo data set: invented organisations, accounts, projects, candidates and costs.

Everything here is invented. Passwords and TOTP secrets of demo accounts are
derived from the email address, so ``srm demo-accounts`` can print them
without storing them.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import random
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.domain.access import Viewer
from srm.domain.enums import (
    ROLE_OF_KIND,
    AgreementType,
    ContractType,
    EducationLevel,
    OrganisationKind,
    ProjectStatus,
    TargetGroup,
)
from srm.domain.errors import InputProblems
from srm.domain.valuation import add_months, today_in_amsterdam
from srm.models import (
    BuildingBlock,
    CostCategory,
    Municipality,
    Organisation,
    Policy,
    Project,
    Region,
    Residence,
    User,
)
from srm.services import accountability
from srm.services.auth import hash_password

logger = logging.getLogger(__name__)

DEMO_EMAIL_DOMAIN = "demo.srm.example"
SEED = 20261204

# (kind, name, KvK number, region code or None, user names)
ORGANISATIONS: list[tuple[OrganisationKind, str, str, str | None, list[str]]] = [
    (
        OrganisationKind.COORDINATION_POINT,
        "Coördinatiepunt Social Return Groningen",
        "90000001",
        "groningen",
        ["Coby Coördinator"],
    ),
    (
        OrganisationKind.COORDINATION_POINT,
        "Coördinatiepunt Social Return Friesland",
        "90000002",
        "friesland",
        ["Fokje Fries"],
    ),
    (
        OrganisationKind.COORDINATION_POINT,
        "Coördinatiepunt Social Return Drenthe",
        "90000003",
        "drenthe",
        ["Derk Drent"],
    ),
    (
        OrganisationKind.EMPLOYER_SERVICE_POINT,
        "Werkgeversservicepunt Groningen",
        "90000011",
        "groningen",
        ["Aukje Accountmanager"],
    ),
    (
        OrganisationKind.EMPLOYER_SERVICE_POINT,
        "Werkgeversservicepunt Friesland",
        "90000012",
        "friesland",
        ["Sjoerd Accountbeheer"],
    ),
    (
        OrganisationKind.EMPLOYER_SERVICE_POINT,
        "Werkgeversservicepunt Drenthe",
        "90000013",
        "drenthe",
        ["Roelie Relatiebeheer"],
    ),
    (
        OrganisationKind.CONTRACTING_AUTHORITY,
        "Gemeente Wierumerwold",
        "90000021",
        "groningen",
        ["Olga Opdrachtgever"],
    ),
    (
        OrganisationKind.CONTRACTING_AUTHORITY,
        "Gemeente Fjildmar",
        "90000022",
        "friesland",
        ["Pieter Inkoper"],
    ),
    (
        OrganisationKind.CONTRACTING_AUTHORITY,
        "Gemeente Esveen",
        "90000023",
        "drenthe",
        ["Esther Esveen"],
    ),
    (
        OrganisationKind.CONTRACTING_AUTHORITY,
        "Waterschap Hunzedelta",
        "90000024",
        "groningen",
        ["Wim Waterschap"],
    ),
    (
        OrganisationKind.CONTRACTOR,
        "Bouwbedrijf Kwelderzand B.V.",
        "90000031",
        None,
        ["Anton Aannemer", "Bea Bouwer"],
    ),
    (
        OrganisationKind.CONTRACTOR,
        "Groenwerk Zuidlaarder Veld B.V.",
        "90000032",
        None,
        ["Gerrit Groen"],
    ),
    (
        OrganisationKind.CONTRACTOR,
        "Schoonmaakdiensten Wadkust B.V.",
        "90000033",
        None,
        ["Sanne Schoon"],
    ),
    (
        OrganisationKind.CONTRACTOR,
        "Noordlicht ICT B.V.",
        "90000034",
        None,
        ["Ivo Informatica"],
    ),
    (
        OrganisationKind.INTERMEDIARY,
        "Werkbrug Noord",
        "90000041",
        None,
        ["Ilse Intermediair"],
    ),
    (
        OrganisationKind.INTERMEDIARY,
        "Leerwerkplein Fryslân",
        "90000042",
        None,
        ["Lieuwe Leerwerk"],
    ),
]

FIRST_NAMES = [
    "Amber",
    "Bas",
    "Chantal",
    "Daan",
    "Eline",
    "Fenna",
    "Gijs",
    "Hanna",
    "Ids",
    "Jelle",
    "Kim",
    "Lotte",
    "Mees",
    "Nina",
    "Onno",
    "Pien",
    "Quinten",
    "Roos",
    "Sem",
    "Tess",
    "Ula",
    "Vera",
    "Wout",
    "Yara",
    "Zoë",
    "Bram",
    "Floor",
    "Hidde",
    "Jorien",
    "Merel",
]
INFIXES = [None, None, None, "de", "van", "van der", "ter"]
LAST_NAMES = [
    "Akkerwinde",
    "Boterbloem",
    "Dijkstal",
    "Elzenhof",
    "Fluitekruid",
    "Gorsveld",
    "Heidebos",
    "Kamperfoelie",
    "Lisdodde",
    "Meidoorn",
    "Noorderzon",
    "Oeverhaar",
    "Pinksterbloem",
    "Riethoorn",
    "Slootkant",
    "Terpstrand",
    "Veenmos",
    "Wilgenkamp",
    "Zandloper",
    "Wadloper",
]
JOB_TITLES = [
    "Medewerker groenonderhoud",
    "Timmerman in opleiding",
    "Schoonmaker",
    "Helpdeskmedewerker",
    "Magazijnmedewerker",
    "Grondwerker",
    "Administratief medewerker",
    "Stratenmaker",
]
PROJECT_WORDS = [
    "Herinrichting",
    "Onderhoud",
    "Renovatie",
    "Aanleg",
    "Vervanging",
    "Beheer",
]
PROJECT_OBJECTS = [
    "Stationsplein",
    "fietspad Noorderdiep",
    "sporthal De Terp",
    "gemeentehuis",
    "gemaal Ruigezand",
    "dijkvak Oostpolder",
    "schoolplein De Wadden",
    "groenstroken",
    "ICT-werkplekken",
    "kantoren",
    "kademuur",
    "brug over het Winschoterdiep",
]


@dataclass(frozen=True)
class DemoAccount:
    email: str
    full_name: str
    organisation: str
    role: str
    password: str
    totp_secret: str


def _digest(label: str, email: str) -> bytes:
    return hashlib.sha256(f"srm-demo:{label}:{email}".encode()).digest()


def demo_password(email: str) -> str:
    return "Demo-" + base64.b32encode(_digest("password", email)).decode()[:16].lower()


def demo_totp_secret(email: str) -> str:
    return base64.b32encode(_digest("totp", email)[:20]).decode()


def demo_email(full_name: str) -> str:
    local = full_name.lower().replace(" ", ".").replace("ö", "o").replace("ë", "e")
    return f"{local}@{DEMO_EMAIL_DOMAIN}"


async def is_demo_database(session: AsyncSession) -> bool:
    """Return whether the database contains the demo data set and nothing else."""
    counts = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(
                sa.func.count().filter(col(Organisation.is_demo)),
                sa.func.count().filter(sa.not_(col(Organisation.is_demo))),
            )
        )
    ).one()
    return counts[0] > 0 and counts[1] == 0


async def demo_accounts(session: AsyncSession) -> list[DemoAccount]:
    rows = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(User, Organisation)
            .join(Organisation, col(Organisation.id) == User.organisation_id)
            .where(col(Organisation.is_demo))
            .order_by(User.role, User.email)
        )
    ).all()
    # Only the accounts this module made; others in demo organisations (invited
    # later) have passwords of their own.
    demo_emails = {
        demo_email(person) for *_, people in ORGANISATIONS for person in people
    }
    return [
        DemoAccount(
            email=user.email,
            full_name=user.full_name,
            organisation=organisation.name,
            role=user.role.value,
            password=demo_password(user.email),
            totp_secret=demo_totp_secret(user.email),
        )
        for user, organisation in rows
        if user.email in demo_emails
    ]


async def load_demo_data(
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    secret: bytes,
    today: date | None = None,
) -> bool:
    """Load the demo data set into a database with reference data and policies.

    Returns False without changes when organisations exist already.
    """
    today = today or today_in_amsterdam()
    rng = random.Random(SEED)
    async with sessionmaker.begin() as session:
        if (
            await session.exec(sa.select(sa.func.count()).select_from(Organisation))  # type: ignore[call-overload]
        ).scalar_one():
            logger.info("demo data not loaded: the database has organisations already")
            return False
        regions = {
            r.code: r
            for r in (await session.exec(sa.select(Region))).scalars().all()  # type: ignore[call-overload]
        }
        organisations: dict[str, Organisation] = {}
        users: dict[str, User] = {}
        for kind, name, kvk, region_code, people in ORGANISATIONS:
            organisation = Organisation(
                name=name,
                kind=kind,
                kvk_number=kvk,
                region_id=regions[region_code].id if region_code else None,
                is_demo=True,
            )
            session.add(organisation)
            await session.flush()
            organisations[name] = organisation
            for person in people:
                email = demo_email(person)
                user = User(
                    email=email,
                    full_name=person,
                    organisation_id=organisation.id,
                    role=ROLE_OF_KIND[kind],
                    password_hash=hash_password(demo_password(email)),
                    totp_secret=demo_totp_secret(email),
                    totp_confirmed=True,
                )
                session.add(user)
                users.setdefault(name, user)
        await session.flush()

        policies = {
            p.region_id: p
            for p in (
                await session.exec(  # type: ignore[call-overload]
                    sa.select(Policy).where(col(Policy.region_id).is_not(None))
                )
            )
            .scalars()
            .all()
        }
        national = (
            await session.exec(  # type: ignore[call-overload]
                sa.select(Policy).where(col(Policy.code) == "utrecht-2024")
            )
        ).scalar_one_or_none()
        residences_by_region: dict[uuid.UUID, list[Residence]] = {}
        for region in regions.values():
            residences_by_region[region.id] = list(
                (
                    await session.exec(  # type: ignore[call-overload]
                        sa.select(Residence)
                        .join(
                            Municipality,
                            col(Municipality.id) == Residence.municipality_id,
                        )
                        .where(
                            col(Municipality.region_id) == region.id,
                            col(Residence.bag_code).is_not(None),
                        )
                        .order_by(Residence.bag_code)
                    )
                )
                .scalars()
                .all()
            )

        authorities = [
            o
            for o in organisations.values()
            if o.kind == OrganisationKind.CONTRACTING_AUTHORITY
        ]
        contractors = [
            o for o in organisations.values() if o.kind == OrganisationKind.CONTRACTOR
        ]
        intermediaries = [
            o for o in organisations.values() if o.kind == OrganisationKind.INTERMEDIARY
        ]
        candidate_count = cost_count = 0
        for number in range(30):
            authority = authorities[number % len(authorities)]
            assert authority.region_id is not None
            contractor = contractors[number % len(contractors)]
            intermediary = intermediaries[number % 2] if number % 3 == 0 else None
            agreement = [
                AgreementType.OBLIGATION,
                AgreementType.FRAMEWORK,
                AgreementType.BEST_EFFORT,
            ][number % 3]
            policy = (
                national
                if (number % 7 == 6 and national is not None)
                else policies[authority.region_id]
            )
            start = today - timedelta(days=rng.randint(60, 900))
            end = start + timedelta(days=rng.randint(240, 1200))
            status = ProjectStatus.ACTIVE
            if end < today:
                status = [
                    ProjectStatus.AWAITING_APPROVAL,
                    ProjectStatus.APPROVED,
                    ProjectStatus.REJECTED,
                    ProjectStatus.COMPLETED,
                ][number % 4]
            amount = Decimal(rng.randrange(20_000, 400_000, 500)).quantize(
                Decimal("0.01")
            )
            project = Project(
                name=f"{PROJECT_WORDS[number % len(PROJECT_WORDS)]} {PROJECT_OBJECTS[number % len(PROJECT_OBJECTS)]}",
                reference=f"SR-{2024 + number % 3}-{number + 1:03d}",
                contracting_authority_id=authority.id,
                contractor_id=contractor.id,
                intermediary_id=intermediary.id if intermediary else None,
                region_id=authority.region_id,
                policy_id=policy.id,
                start_date=start,
                end_date=end,
                agreement_type=agreement,
                obligation_amount=None
                if agreement == AgreementType.BEST_EFFORT and number % 2
                else amount,
                fixed_amount=(amount * Decimal("1.1")).quantize(Decimal("0.01"))
                if agreement == AgreementType.FRAMEWORK and number % 2 == 0
                else None,
                fixed_on=start + timedelta(days=90)
                if agreement == AgreementType.FRAMEWORK and number % 2 == 0
                else None,
            )
            session.add(project)
            await session.flush()
            contractor_user = users[contractor.name]
            viewer = Viewer(
                contractor_user.id, contractor.id, contractor_user.role, None
            )
            blocks = (
                (
                    await session.exec(  # type: ignore[call-overload]
                        sa.select(BuildingBlock).where(
                            BuildingBlock.policy_id == policy.id
                        )
                    )
                )
                .scalars()
                .all()
            )
            categories = (
                (
                    await session.exec(  # type: ignore[call-overload]
                        sa.select(CostCategory).where(
                            CostCategory.policy_id == policy.id
                        )
                    )
                )
                .scalars()
                .all()
            )
            residences = residences_by_region[authority.region_id]
            for _ in range(10):
                candidate_start = start + timedelta(
                    days=rng.randint(-30, max(1, (end - start).days - 30))
                )
                candidate_end = min(
                    end, add_months(candidate_start, rng.choice([3, 6, 12, 18, 24]))
                )
                if candidate_end < candidate_start:
                    continue
                born = date(
                    rng.randint(1962, 2006), rng.randint(1, 12), rng.randint(1, 28)
                )
                fields = accountability.CandidateFields(
                    first_name=rng.choice(FIRST_NAMES),
                    name_infix=rng.choice(INFIXES),
                    last_name=rng.choice(LAST_NAMES),
                    date_of_birth=born,
                    residence_id=rng.choice(residences).id,
                    job_title=rng.choice(JOB_TITLES),
                    education_level=rng.choice(list(EducationLevel)),
                    building_block_id=rng.choice(blocks).id,
                    bonus_codes=[],
                    target_group=rng.choice(list(TargetGroup)),
                    contract_type=rng.choice(list(ContractType)),
                    start_date=candidate_start,
                    end_date=candidate_end,
                    hours_per_week=Decimal(rng.choice([16, 20, 24, 32, 36, 38])),
                    hourly_wage=Decimal(rng.randrange(1400, 2200)) / 100
                    if rng.random() < 0.7
                    else None,
                    note=rng.choice(
                        [None, "Begeleiding door jobcoach.", "Werkt op maandag niet."]
                    ),
                )
                try:
                    await accountability.add_candidate(
                        session,
                        viewer,
                        project_id=project.id,
                        fields=fields,
                        declared_truthful=True,
                        secret=secret,
                    )
                    candidate_count += 1
                except InputProblems:
                    continue  # a random duplicate person; leave it out
            for _ in range(7):
                category = (
                    rng.choice(categories)
                    if categories and rng.random() < 0.6
                    else None
                )
                hourly = (
                    category is not None and category.valuation.value == "HOURLY_RATE"
                )
                await accountability.add_cost(
                    session,
                    viewer,
                    project_id=project.id,
                    description=rng.choice(
                        [
                            "Inkoop bij sociale onderneming",
                            "Opleiding VCA",
                            "Begeleiding op de werkvloer",
                            "Werkkleding",
                        ]
                    ),
                    entry_date=start
                    + timedelta(days=rng.randint(0, (end - start).days)),
                    category_id=category.id if category else None,
                    category_given=category is not None,
                    amount=None
                    if hourly
                    else Decimal(rng.randrange(10_000, 500_000)) / 100,
                    hours=Decimal(rng.randint(2, 40)) if hourly else None,
                    declared_truthful=True,
                    note=None,
                )
                cost_count += 1
            project.status = status
            session.add(project)
        logger.info(
            "demo data loaded: %d organisations, %d candidates, %d costs",
            len(organisations),
            candidate_count,
            cost_count,
        )
    return True
