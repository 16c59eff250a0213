"""Reading and creating projects, with progress computed in SQL."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.db import escape_like
from srm.domain.access import Viewer
from srm.domain.enums import AgreementType, OrganisationKind, ProjectStatus
from srm.domain.errors import ProblemCollector, UserErrorCode
from srm.domain.inputs import check_money, check_period, check_text
from srm.models import Organisation, Policy, Project, Region
from srm.services.access import visible_projects_clause
from srm.services.audit import AuditAction, record
from srm.services.progress import obligation_sql, progress_columns

_project = Project.__table__.c  # type: ignore[attr-defined]

# Plausible project dates; anything outside is a typing error, not a contract.
EARLIEST_PROJECT_DATE = date(2000, 1, 1)
LATEST_PROJECT_DATE = date(2100, 12, 31)
MAX_PROJECT_YEARS = 20


class ProjectOrderField(StrEnum):
    NAME = "NAME"
    REFERENCE = "REFERENCE"
    CONTRACTING_AUTHORITY = "CONTRACTING_AUTHORITY"
    CONTRACTOR = "CONTRACTOR"
    INTERMEDIARY = "INTERMEDIARY"
    REGION = "REGION"
    POLICY = "POLICY"
    START_DATE = "START_DATE"
    END_DATE = "END_DATE"
    AGREEMENT_TYPE = "AGREEMENT_TYPE"
    OBLIGATION_AMOUNT = "OBLIGATION_AMOUNT"
    STATUS = "STATUS"
    PROGRESS_ACTUAL = "PROGRESS_ACTUAL"
    PROGRESS_FORECAST = "PROGRESS_FORECAST"
    PROGRESS_ACTUAL_PERCENTAGE = "PROGRESS_ACTUAL_PERCENTAGE"
    PROGRESS_FORECAST_PERCENTAGE = "PROGRESS_FORECAST_PERCENTAGE"
    CREATED_AT = "CREATED_AT"


@dataclass
class ProjectFilterValues:
    """Filters of the project list; ``None`` means no filter on that column."""

    search: str | None = None
    status: Sequence[ProjectStatus] | None = None
    region_id: uuid.UUID | None = None
    agreement_type: Sequence[AgreementType] | None = None
    start_date_from: date | None = None
    start_date_to: date | None = None
    end_date_from: date | None = None
    end_date_to: date | None = None
    obligation_from: Decimal | None = None
    obligation_to: Decimal | None = None
    completed: bool = False


@dataclass
class ProjectPage:
    rows: list[Any]
    total: int
    offset: int
    has_next: bool
    has_previous: bool


@dataclass
class OrderTerm:
    field: ProjectOrderField
    descending: bool = False


def _filter_clauses(filters: ProjectFilterValues) -> list[sa.ColumnElement[bool]]:
    clauses: list[sa.ColumnElement[bool]] = []
    if filters.completed:
        clauses.append(_project.status == ProjectStatus.COMPLETED.value)
    else:
        clauses.append(_project.status != ProjectStatus.COMPLETED.value)
    if filters.search and filters.search.strip():
        pattern = f"%{escape_like(filters.search.strip())}%"
        organisation = Organisation.__table__.c  # type: ignore[attr-defined]
        party_names = sa.select(organisation.id).where(
            organisation.name.ilike(pattern, escape="\\"),
            organisation.id.in_(
                [
                    _project.contracting_authority_id,
                    _project.contractor_id,
                    _project.intermediary_id,
                ]
            ),
        )
        clauses.append(
            sa.or_(
                _project.name.ilike(pattern, escape="\\"),
                _project.reference.ilike(pattern, escape="\\"),
                party_names.exists(),
            )
        )
    if filters.status:
        clauses.append(_project.status.in_([s.value for s in filters.status]))
    if filters.region_id is not None:
        clauses.append(_project.region_id == filters.region_id)
    if filters.agreement_type:
        clauses.append(
            _project.agreement_type.in_([a.value for a in filters.agreement_type])
        )
    ranges = [
        (_project.start_date, filters.start_date_from, filters.start_date_to),
        (_project.end_date, filters.end_date_from, filters.end_date_to),
        (obligation_sql(), filters.obligation_from, filters.obligation_to),
    ]
    for column, low, high in ranges:
        if low is not None:
            clauses.append(column >= low)
        if high is not None:
            clauses.append(column <= high)
    return clauses


async def list_projects(
    session: AsyncSession,
    viewer: Viewer,
    *,
    filters: ProjectFilterValues,
    order: Sequence[OrderTerm],
    offset: int,
    limit: int,
    today: date,
    project_ids: Sequence[uuid.UUID] | None = None,
) -> ProjectPage:
    """Return one page of the projects ``viewer`` may see, sorted and filtered in SQL.

    Two statements whatever the page size: the page with its progress figures,
    and the total count.
    """
    where = [visible_projects_clause(viewer)]
    if project_ids is not None:
        where.append(_project.id.in_(list(project_ids)))
    else:
        where.extend(_filter_clauses(filters))

    columns, laterals = progress_columns(today)
    authority = aliased(Organisation.__table__, name="authority")  # type: ignore[attr-defined]
    contractor = aliased(Organisation.__table__, name="contractor")  # type: ignore[attr-defined]
    intermediary = aliased(Organisation.__table__, name="intermediary")  # type: ignore[attr-defined]
    region = Region.__table__  # type: ignore[attr-defined]
    policy = Policy.__table__  # type: ignore[attr-defined]
    progress = {column.name: column for column in columns}
    sort_columns: dict[ProjectOrderField, sa.ColumnElement[Any]] = {
        ProjectOrderField.NAME: sa.func.lower(_project.name),
        ProjectOrderField.REFERENCE: sa.func.lower(_project.reference),
        ProjectOrderField.CONTRACTING_AUTHORITY: sa.func.lower(authority.c.name),
        ProjectOrderField.CONTRACTOR: sa.func.lower(contractor.c.name),
        ProjectOrderField.INTERMEDIARY: sa.func.lower(intermediary.c.name),
        ProjectOrderField.REGION: sa.func.lower(region.c.name),
        ProjectOrderField.POLICY: sa.func.lower(policy.c.name),
        ProjectOrderField.START_DATE: _project.start_date,
        ProjectOrderField.END_DATE: _project.end_date,
        ProjectOrderField.AGREEMENT_TYPE: _project.agreement_type,
        ProjectOrderField.OBLIGATION_AMOUNT: obligation_sql(),
        ProjectOrderField.STATUS: _project.status,
        ProjectOrderField.PROGRESS_ACTUAL: progress["progress_actual"].element,
        ProjectOrderField.PROGRESS_FORECAST: progress["progress_forecast"].element,
        ProjectOrderField.PROGRESS_ACTUAL_PERCENTAGE: progress[
            "progress_actual_percentage"
        ].element,
        ProjectOrderField.PROGRESS_FORECAST_PERCENTAGE: progress[
            "progress_forecast_percentage"
        ].element,
        ProjectOrderField.CREATED_AT: _project.created_at,
    }
    order_by: list[sa.ColumnElement[Any]] = []
    for term in order or [OrderTerm(ProjectOrderField.END_DATE)]:
        column = sort_columns[term.field]
        order_by.append(
            column.desc().nulls_last() if term.descending else column.asc().nulls_last()
        )
    order_by.append(_project.id.asc())

    source = Project.__table__  # type: ignore[attr-defined]
    for lateral in laterals:
        source = source.join(lateral, sa.true())
    source = (
        source.join(authority, authority.c.id == _project.contracting_authority_id)
        .join(contractor, contractor.c.id == _project.contractor_id)
        .outerjoin(intermediary, intermediary.c.id == _project.intermediary_id)
        .join(region, region.c.id == _project.region_id)
        .join(policy, policy.c.id == _project.policy_id)
    )
    statement = (
        sa.select(*Project.__table__.c, *columns)  # type: ignore[attr-defined]
        .select_from(source)
        .where(*where)
        .order_by(*order_by)
        .offset(offset)
        .limit(limit + 1)
    )
    rows = list((await session.exec(statement)).mappings().all())  # type: ignore[call-overload]
    total = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(sa.func.count()).select_from(Project.__table__).where(*where)  # type: ignore[attr-defined]
        )
    ).scalar_one()
    return ProjectPage(
        rows=rows[:limit],
        total=total,
        offset=offset,
        has_next=len(rows) > limit,
        has_previous=offset > 0,
    )


@dataclass
class NewProject:
    """Input of ``create_project``; ids are already decoded (None when invalid)."""

    name: str | None
    reference: str | None
    contractor_id: uuid.UUID | None
    intermediary_id: uuid.UUID | None
    intermediary_given: bool
    region_id: uuid.UUID | None
    policy_id: uuid.UUID | None
    start_date: date
    end_date: date
    agreement_type: AgreementType
    obligation_amount: Decimal | None
    extra: dict[str, Any] = field(default_factory=dict)


async def create_project(
    session: AsyncSession, viewer: Viewer, new: NewProject
) -> Project:
    """Create a project for the viewer's organisation as contracting authority."""
    problems = ProblemCollector()
    name = check_text(problems, "name", new.name, max_length=300)
    reference = check_text(
        problems, "reference", new.reference, max_length=100, required=False
    )
    if check_period(problems, new.start_date, new.end_date):
        for field_name, day in (
            ("startDate", new.start_date),
            ("endDate", new.end_date),
        ):
            if not EARLIEST_PROJECT_DATE <= day <= LATEST_PROJECT_DATE:
                problems.add(
                    field_name,
                    UserErrorCode.OUT_OF_RANGE,
                    f"{field_name} must lie between {EARLIEST_PROJECT_DATE.isoformat()} and "
                    f"{LATEST_PROJECT_DATE.isoformat()}.",
                )
        if (new.end_date - new.start_date).days > MAX_PROJECT_YEARS * 366:
            problems.add(
                "endDate",
                UserErrorCode.OUT_OF_RANGE,
                f"A project may run at most {MAX_PROJECT_YEARS} years.",
            )

    contractor = (
        await session.get(Organisation, new.contractor_id)
        if new.contractor_id
        else None
    )
    if contractor is None:
        problems.add(
            "contractorId",
            UserErrorCode.NOT_FOUND,
            "contractorId is not a known organisation.",
        )
    elif contractor.kind != OrganisationKind.CONTRACTOR:
        problems.add(
            "contractorId",
            UserErrorCode.WRONG_KIND,
            "contractorId must be an organisation of kind CONTRACTOR.",
        )

    if new.intermediary_given:
        intermediary = (
            await session.get(Organisation, new.intermediary_id)
            if new.intermediary_id
            else None
        )
        if intermediary is None:
            problems.add(
                "intermediaryId",
                UserErrorCode.NOT_FOUND,
                "intermediaryId is not a known organisation.",
            )
        elif intermediary.kind != OrganisationKind.INTERMEDIARY:
            problems.add(
                "intermediaryId",
                UserErrorCode.WRONG_KIND,
                "intermediaryId must be an organisation of kind INTERMEDIARY.",
            )

    region = await session.get(Region, new.region_id) if new.region_id else None
    if region is None:
        problems.add(
            "regionId",
            UserErrorCode.NOT_FOUND,
            "regionId is not a known region; see the regions query.",
        )
    policy = await session.get(Policy, new.policy_id) if new.policy_id else None
    if policy is None:
        problems.add(
            "policyId",
            UserErrorCode.NOT_FOUND,
            "policyId is not a known policy; see the policies query.",
        )
    elif region is not None and policy.region_id not in (None, region.id):
        problems.add(
            "policyId",
            UserErrorCode.INVALID,
            "The policy belongs to another region; pick one from policies(region:).",
        )

    amount = check_money(
        problems,
        "obligationAmount",
        new.obligation_amount,
        required=new.agreement_type != AgreementType.BEST_EFFORT,
    )
    problems.raise_if_any()
    assert name is not None and region is not None and policy is not None
    assert contractor is not None
    project = Project(
        name=name,
        reference=reference,
        contracting_authority_id=viewer.organisation_id,
        contractor_id=contractor.id,
        intermediary_id=new.intermediary_id if new.intermediary_given else None,
        region_id=region.id,
        policy_id=policy.id,
        start_date=new.start_date,
        end_date=new.end_date,
        agreement_type=new.agreement_type,
        obligation_amount=amount,
    )
    session.add(project)
    await session.flush()
    record(
        session,
        action=AuditAction.CREATE,
        object_type="Project",
        object_id=project.id,
        viewer=viewer,
        project_id=project.id,
        region_id=project.region_id,
        fields=[
            name
            for name in (
                "name",
                "reference",
                "contractor_id",
                "intermediary_id",
                "region_id",
                "policy_id",
                "start_date",
                "end_date",
                "agreement_type",
                "obligation_amount",
            )
            if getattr(project, name) is not None
        ],
    )
    return project
