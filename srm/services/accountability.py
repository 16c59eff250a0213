"""Writing accountability entries: costs and candidates.

Each public function runs inside the caller's transaction, checks the whole
input first and raises ``InputProblems`` before anything is written.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.domain import valuation
from srm.domain.access import (
    ProjectParties,
    Viewer,
    may_account_on_project,
    may_see_project,
    may_validate_on_project,
)
from srm.domain.enums import (
    BonusKind,
    ContractType,
    CostValuation,
    EducationLevel,
    ProjectStatus,
    TargetGroup,
)
from srm.domain.errors import (
    InputProblems,
    NotFound,
    ProblemCollector,
    UserErrorCode,
    UserProblem,
)
from srm.domain.inputs import (
    check_hours,
    check_money,
    check_period,
    check_person_name,
    check_text,
    normalise_name,
    personal_data_hints,
)
from srm.models import (
    Bonus,
    BuildingBlock,
    Candidate,
    Cost,
    CostCategory,
    Policy,
    Project,
    Residence,
)
from srm.services.audit import AuditAction, changed_fields, record

MAX_HOURS_PER_WEEK = Decimal(60)
MAX_HOURLY_WAGE = Decimal("1000.00")  # euros per hour; far above any real wage
EARLIEST_BIRTH_DATE = date(1900, 1, 1)
MINIMUM_AGE_AT_START = 13


def person_key(
    secret: bytes,
    region_id: uuid.UUID,
    first_name: str,
    name_infix: str | None,
    last_name: str,
    date_of_birth: date,
) -> str:
    """Return the keyed hash that recognises one person within a region.

    The key is derived per region from the server secret, so keys of
    different regions cannot be compared.
    """
    region_key = hmac.new(
        secret, f"region:{region_id}".encode(), hashlib.sha256
    ).digest()
    identity = "|".join(
        [
            normalise_name(first_name),
            normalise_name(name_infix or ""),
            normalise_name(last_name),
            date_of_birth.isoformat(),
        ]
    )
    return hmac.new(region_key, identity.encode(), hashlib.sha256).hexdigest()


def _parties(project: Project) -> ProjectParties:
    return ProjectParties(
        contracting_authority_id=project.contracting_authority_id,
        contractor_id=project.contractor_id,
        intermediary_id=project.intermediary_id,
        region_id=project.region_id,
    )


async def project_for_accounting(
    session: AsyncSession, viewer: Viewer, project_id: uuid.UUID | None
) -> Project:
    """Load and lock a project the viewer may enter accountability on, else ``NotFound``."""
    if project_id is None:
        raise NotFound
    project = await session.get(Project, project_id, with_for_update=True)
    if project is None:
        raise NotFound
    parties = _parties(project)
    if not may_see_project(viewer, parties) or not may_account_on_project(
        viewer, parties
    ):
        raise NotFound
    return project


def _check_project_open(problems: ProblemCollector, project: Project) -> None:
    if project.status in (ProjectStatus.COMPLETED, ProjectStatus.APPROVED):
        problems.add(
            "projectId",
            UserErrorCode.PROJECT_CLOSED,
            f"The project is {project.status.value.lower()}; its accountability can no "
            "longer change.",
        )


def _check_declaration(problems: ProblemCollector, declared: bool | None) -> None:
    if declared is not True:
        problems.add(
            "declaredTruthful",
            UserErrorCode.DECLARATION_REQUIRED,
            "Declare that the entry is truthful by sending declaredTruthful: true.",
        )


# --- costs -------------------------------------------------------------------------


@dataclass
class CostValues:
    """Checked values of a cost, before it is written."""

    description: str
    amount: Decimal
    hours: Decimal | None
    date: date
    category_id: uuid.UUID | None
    note: str | None
    warnings: list[UserProblem] = field(default_factory=list)


async def _check_cost(
    session: AsyncSession,
    project: Project,
    problems: ProblemCollector,
    *,
    description: str | None,
    entry_date: date | None,
    category_id: uuid.UUID | None,
    category_given: bool,
    amount: Decimal | None,
    hours: Decimal | None,
    note: str | None,
) -> CostValues | None:
    text = check_text(problems, "description", description, max_length=500)
    note_text = check_text(problems, "note", note, max_length=5000, required=False)
    if entry_date is None:
        problems.add("date", UserErrorCode.REQUIRED, "date is required.")
    elif not project.start_date <= entry_date <= project.end_date:
        problems.add(
            "date",
            UserErrorCode.OUTSIDE_PROJECT_PERIOD,
            f"date {entry_date.isoformat()} is outside the project period "
            f"{project.start_date.isoformat()} to {project.end_date.isoformat()}.",
        )

    category: CostCategory | None = None
    if category_given:
        category = await session.get(CostCategory, category_id) if category_id else None
        if category is None or category.policy_id != project.policy_id:
            problems.add(
                "categoryId",
                UserErrorCode.NOT_IN_POLICY,
                "categoryId is not a cost category of the project's policy; pick one "
                "from project.policy.costCategories.",
            )
            category = None

    checked_amount: Decimal | None = None
    checked_hours: Decimal | None = None
    if category is not None and category.valuation == CostValuation.HOURLY_RATE:
        if amount is not None:
            problems.add(
                "amount",
                UserErrorCode.INVALID,
                "This category is valued per hour: send hours, not amount.",
            )
        checked_hours = check_hours(problems, "hours", hours, maximum=Decimal(100000))
        if checked_hours is not None and category.hourly_rate is not None:
            checked_amount = valuation.cost_amount_for_hours(
                checked_hours, category.hourly_rate
            )
    elif (
        category is not None
        and category.valuation == CostValuation.INVOICE_OR_HOURLY_RATE
        and amount is None
        and hours is not None
    ):
        checked_hours = check_hours(problems, "hours", hours, maximum=Decimal(100000))
        if checked_hours is not None and category.hourly_rate is not None:
            checked_amount = valuation.cost_amount_for_hours(
                checked_hours, category.hourly_rate
            )
    else:
        if hours is not None and not problems.has("categoryId"):
            problems.add(
                "hours",
                UserErrorCode.INVALID,
                "hours applies only to a category valued per hour; send amount.",
            )
        checked_amount = check_money(problems, "amount", amount)

    if problems.problems:
        return None
    assert text is not None
    assert entry_date is not None
    assert checked_amount is not None

    warnings: list[UserProblem] = []
    names = await _candidate_names(session, project.id)
    for hint in personal_data_hints(text, names):
        warnings.append(
            UserProblem(
                ("input", "description"),
                UserErrorCode.PERSONAL_DATA_SUSPECTED,
                f"The description seems to contain {hint}; the contracting authority "
                "reads descriptions, so keep personal data in the note.",
            )
        )
    return CostValues(
        description=text,
        amount=checked_amount,
        hours=checked_hours,
        date=entry_date,
        category_id=category.id if category else None,
        note=note_text,
        warnings=warnings,
    )


async def _candidate_names(session: AsyncSession, project_id: uuid.UUID) -> list[str]:
    result = await session.exec(  # type: ignore[call-overload]
        sa.select(col(Candidate.first_name), col(Candidate.last_name)).where(
            col(Candidate.project_id) == project_id
        )
    )
    return [name for row in result.all() for name in row]


async def add_cost(
    session: AsyncSession,
    viewer: Viewer,
    *,
    project_id: uuid.UUID | None,
    description: str | None,
    entry_date: date | None,
    category_id: uuid.UUID | None,
    category_given: bool,
    amount: Decimal | None,
    hours: Decimal | None,
    declared_truthful: bool | None,
    note: str | None,
) -> tuple[Cost, Project, list[UserProblem]]:
    project = await project_for_accounting(session, viewer, project_id)
    problems = ProblemCollector()
    _check_project_open(problems, project)
    _check_declaration(problems, declared_truthful)
    values = await _check_cost(
        session,
        project,
        problems,
        description=description,
        entry_date=entry_date,
        category_id=category_id,
        category_given=category_given,
        amount=amount,
        hours=hours,
        note=note,
    )
    problems.raise_if_any()
    assert values is not None
    now = datetime.now(tz=UTC)
    cost = Cost(
        project_id=project.id,
        description=values.description,
        amount=values.amount,
        hours=values.hours,
        date=values.date,
        category_id=values.category_id,
        note=values.note,
        declared_truthful_by=viewer.user_id,
        declared_truthful_at=now,
        created_at=now,
        updated_at=now,
    )
    session.add(cost)
    await session.flush()
    _record_entry(
        session, viewer, AuditAction.CREATE, cost, project, _cost_state(cost).keys()
    )
    return cost, project, values.warnings


COST_AUDITED = ("description", "amount", "hours", "date", "category_id", "note")
CANDIDATE_AUDITED = (
    "first_name",
    "name_infix",
    "last_name",
    "date_of_birth",
    "residence_id",
    "job_title",
    "education_level",
    "building_block_id",
    "bonus_codes",
    "target_group",
    "contract_type",
    "start_date",
    "end_date",
    "hours_per_week",
    "hourly_wage",
    "note",
)


def _cost_state(cost: Cost) -> dict[str, Any]:
    return {
        name: getattr(cost, name)
        for name in COST_AUDITED
        if getattr(cost, name) is not None
    }


def _candidate_state(candidate: Candidate) -> dict[str, Any]:
    return {
        name: getattr(candidate, name)
        for name in CANDIDATE_AUDITED
        if getattr(candidate, name) not in (None, [])
    }


def _record_entry(
    session: AsyncSession,
    viewer: Viewer,
    action: str,
    entry: Cost | Candidate,
    project: Project,
    fields: Any,
) -> None:
    record(
        session,
        action=action,
        object_type=type(entry).__name__,
        object_id=entry.id,
        viewer=viewer,
        project_id=project.id,
        region_id=project.region_id,
        fields=list(fields),
    )


async def entry_for_change(
    session: AsyncSession,
    viewer: Viewer,
    model: type[Cost] | type[Candidate],
    entry_id: uuid.UUID | None,
) -> tuple[Any, Project]:
    """Load an entry the viewer may change, with its locked project, else ``NotFound``."""
    if entry_id is None:
        raise NotFound
    entry: Cost | Candidate | None = await session.get(
        model, entry_id, with_for_update=True
    )
    if entry is None:
        raise NotFound
    project = await project_for_accounting(session, viewer, entry.project_id)
    return entry, project


def _check_not_validated(problems: ProblemCollector, entry: Cost | Candidate) -> None:
    if entry.validated_at is not None:
        problems.add(
            "id",
            UserErrorCode.VALIDATED_ENTRY_LOCKED,
            "The entry has been validated by the account manager and can no longer change.",
        )


async def update_cost(
    session: AsyncSession,
    viewer: Viewer,
    *,
    cost_id: uuid.UUID | None,
    changes: dict[str, Any],
    declared_truthful: bool | None,
) -> tuple[Cost, Project, list[UserProblem]]:
    """Change the given fields of a cost; fields absent from ``changes`` keep their value."""
    cost, project = await entry_for_change(session, viewer, Cost, cost_id)
    problems = ProblemCollector()
    _check_project_open(problems, project)
    _check_not_validated(problems, cost)
    _check_declaration(problems, declared_truthful)
    amount_given = "amount" in changes or "hours" in changes
    values = await _check_cost(
        session,
        project,
        problems,
        description=changes.get("description", cost.description),
        entry_date=changes.get("date", cost.date),
        category_id=changes.get("category_id", cost.category_id),
        category_given=changes.get("category_id", cost.category_id) is not None
        or "category_id" in changes,
        amount=changes.get("amount")
        if amount_given
        else (None if cost.hours else cost.amount),
        hours=changes.get("hours") if amount_given else cost.hours,
        note=changes.get("note", cost.note),
    )
    problems.raise_if_any()
    assert values is not None
    before = _cost_state(cost)
    now = datetime.now(tz=UTC)
    cost.description = values.description
    cost.amount = values.amount
    cost.hours = values.hours
    cost.date = values.date
    cost.category_id = values.category_id
    cost.note = values.note
    cost.declared_truthful_by = viewer.user_id
    cost.declared_truthful_at = now
    cost.updated_at = now
    session.add(cost)
    await session.flush()
    _record_entry(
        session,
        viewer,
        AuditAction.UPDATE,
        cost,
        project,
        changed_fields(before, _cost_state(cost)),
    )
    return cost, project, values.warnings


# --- candidates --------------------------------------------------------------------


@dataclass
class CandidateFields:
    """Input of a candidate as the service takes it; ids are already decoded."""

    first_name: str | None
    name_infix: str | None
    last_name: str | None
    date_of_birth: date | None
    residence_id: uuid.UUID | None
    job_title: str | None
    education_level: EducationLevel | None
    building_block_id: uuid.UUID | None
    bonus_codes: list[str] | None
    target_group: TargetGroup | None
    contract_type: ContractType | None
    start_date: date | None
    end_date: date | None
    hours_per_week: Decimal | None
    hourly_wage: Decimal | None
    note: str | None


async def _check_candidate(
    session: AsyncSession,
    project: Project,
    problems: ProblemCollector,
    fields: CandidateFields,
    secret: bytes,
    exclude_id: uuid.UUID | None = None,
) -> dict[str, Any] | None:
    first_name = check_person_name(
        problems, "firstName", fields.first_name, max_length=100
    )
    name_infix = check_person_name(
        problems, "nameInfix", fields.name_infix, max_length=30, required=False
    )
    last_name = check_person_name(
        problems, "lastName", fields.last_name, max_length=150
    )
    job_title = check_text(problems, "jobTitle", fields.job_title, max_length=200)
    note = check_text(problems, "note", fields.note, max_length=5000, required=False)
    for name, value in (
        ("educationLevel", fields.education_level),
        ("targetGroup", fields.target_group),
        ("contractType", fields.contract_type),
        ("dateOfBirth", fields.date_of_birth),
        ("startDate", fields.start_date),
        ("endDate", fields.end_date),
    ):
        if value is None:
            problems.add(name, UserErrorCode.REQUIRED, f"{name} is required.")

    start, end, born = fields.start_date, fields.end_date, fields.date_of_birth
    if start is not None and end is not None and check_period(problems, start, end):
        if end < project.start_date or start > project.end_date:
            problems.add(
                "startDate",
                UserErrorCode.OUTSIDE_PROJECT_PERIOD,
                f"The period {start.isoformat()} to {end.isoformat()} has no day in the "
                f"project period {project.start_date.isoformat()} to "
                f"{project.end_date.isoformat()}.",
            )
    if (
        born is not None
        and start is not None
        and (
            born < EARLIEST_BIRTH_DATE
            or valuation.age_on(born, start) < MINIMUM_AGE_AT_START
        )
    ):
        problems.add(
            "dateOfBirth",
            UserErrorCode.OUT_OF_RANGE,
            f"dateOfBirth must be after 1900 and at least {MINIMUM_AGE_AT_START} years "
            "before startDate.",
        )

    residence = (
        await session.get(Residence, fields.residence_id)
        if fields.residence_id
        else None
    )
    if residence is None:
        problems.add(
            "residenceId",
            UserErrorCode.NOT_FOUND,
            "Unknown residence; look it up with residences(search:) and send the id of "
            "the chosen option.",
        )

    policy = await session.get(Policy, project.policy_id)
    assert policy is not None
    block = (
        await session.get(BuildingBlock, fields.building_block_id)
        if fields.building_block_id
        else None
    )
    if block is None or block.policy_id != project.policy_id:
        problems.add(
            "buildingBlockId",
            UserErrorCode.NOT_IN_POLICY,
            "buildingBlockId is not a building block of the project's policy; pick one "
            "from project.policy.buildingBlocks.",
        )
        block = None

    bonus_rows = (
        (
            await session.exec(  # type: ignore[call-overload]
                sa.select(Bonus).where(col(Bonus.policy_id) == project.policy_id)
            )
        )
        .scalars()
        .all()
    )
    chosen = list(dict.fromkeys(fields.bonus_codes or []))
    choosable = {
        b.code for b in bonus_rows if b.kind == BonusKind.YEARLY and b.min_age is None
    }
    unknown = [code for code in chosen if code not in choosable]
    if unknown:
        problems.add(
            "bonusCodes",
            UserErrorCode.NOT_IN_POLICY,
            f"Not a bonus to choose in the project's policy: {', '.join(unknown)}. Age "
            "bonuses apply by themselves.",
        )

    hours = check_hours(
        problems, "hoursPerWeek", fields.hours_per_week, maximum=MAX_HOURS_PER_WEEK
    )
    wage = check_money(
        problems,
        "hourlyWage",
        fields.hourly_wage,
        required=False,
        maximum=MAX_HOURLY_WAGE,
    )

    if problems.problems:
        return None
    assert first_name and last_name and job_title  # checked above: not empty
    assert born and start and end and hours  # checked above: present
    assert block is not None and residence is not None

    key = person_key(secret, project.region_id, first_name, name_infix, last_name, born)
    overlap = sa.select(col(Candidate.id)).where(
        col(Candidate.project_id) == project.id,
        col(Candidate.person_key) == key,
        col(Candidate.start_date) <= end,
        col(Candidate.end_date) >= start,
    )
    if exclude_id is not None:
        overlap = overlap.where(col(Candidate.id) != exclude_id)
    if (await session.exec(overlap.limit(1))).first() is not None:  # type: ignore[call-overload]
        problems.add(
            "startDate",
            UserErrorCode.DUPLICATE_PERSON,
            "This person is already on the project for an overlapping period; change "
            "that entry or choose a period that does not overlap.",
        )
        return None

    terms = valuation.value_candidate(
        candidate_start=start,
        candidate_end=end,
        project_start=project.start_date,
        project_end=project.end_date,
        hours_per_week=hours,
        fulltime_hours_per_week=policy.fulltime_hours_per_week,
        block_yearly_value=block.yearly_value,
        max_months=block.max_months,
        bonuses=valuation.applicable_bonuses(
            [
                valuation.BonusTerms(
                    code=b.code,
                    kind=b.kind.value.lower(),
                    yearly_value=b.yearly_value,
                    min_age=b.min_age,
                )
                for b in bonus_rows
            ],
            chosen,
            born,
            start,
        ),
    )
    return {
        "first_name": first_name,
        "name_infix": name_infix,
        "last_name": last_name,
        "date_of_birth": born,
        "residence_id": residence.id,
        "municipality_id": residence.municipality_id,
        "job_title": job_title,
        "education_level": fields.education_level,
        "building_block_id": block.id,
        "bonus_codes": chosen,
        "target_group": fields.target_group,
        "contract_type": fields.contract_type,
        "start_date": start,
        "end_date": end,
        "hours_per_week": hours,
        "hourly_wage": wage,
        "note": note,
        "person_key": key,
        "first_day": terms.first_day,
        "last_day": terms.last_day,
        "yearly_value": terms.yearly_value,
        "hours_counted": terms.hours_counted,
        "fulltime_hours": terms.fulltime_hours,
        "value_forecast": terms.value(),
    }


_OVERLAP_CONSTRAINT = "no_overlapping_person_on_project"


async def _flush_candidate(session: AsyncSession) -> None:
    """Flush; a concurrent duplicate caught by the exclusion constraint is a user problem."""
    try:
        await session.flush()
    except IntegrityError as error:
        if _OVERLAP_CONSTRAINT in str(error.orig):
            raise InputProblems(
                [
                    UserProblem(
                        ("input", "startDate"),
                        UserErrorCode.DUPLICATE_PERSON,
                        "This person is already on the project for an overlapping period.",
                    )
                ]
            ) from error
        raise


async def add_candidate(
    session: AsyncSession,
    viewer: Viewer,
    *,
    project_id: uuid.UUID | None,
    fields: CandidateFields,
    declared_truthful: bool | None,
    secret: bytes,
) -> tuple[Candidate, Project]:
    project = await project_for_accounting(session, viewer, project_id)
    problems = ProblemCollector()
    _check_project_open(problems, project)
    _check_declaration(problems, declared_truthful)
    values = await _check_candidate(session, project, problems, fields, secret)
    problems.raise_if_any()
    assert values is not None
    now = datetime.now(tz=UTC)
    candidate = Candidate(
        project_id=project.id,
        declared_truthful_by=viewer.user_id,
        declared_truthful_at=now,
        created_at=now,
        updated_at=now,
        **values,
    )
    session.add(candidate)
    await _flush_candidate(session)
    _record_entry(
        session,
        viewer,
        AuditAction.CREATE,
        candidate,
        project,
        _candidate_state(candidate).keys(),
    )
    return candidate, project


async def update_candidate(
    session: AsyncSession,
    viewer: Viewer,
    *,
    candidate_id: uuid.UUID | None,
    changes: dict[str, Any],
    declared_truthful: bool | None,
    secret: bytes,
) -> tuple[Candidate, Project]:
    """Change the given fields of a candidate and value it again."""
    candidate, project = await entry_for_change(
        session, viewer, Candidate, candidate_id
    )
    problems = ProblemCollector()
    _check_project_open(problems, project)
    _check_not_validated(problems, candidate)
    _check_declaration(problems, declared_truthful)
    current = {
        name: changes.get(name, getattr(candidate, name))
        for name in CandidateFields.__dataclass_fields__
    }
    values = await _check_candidate(
        session,
        project,
        problems,
        CandidateFields(**current),
        secret,
        exclude_id=candidate.id,
    )
    problems.raise_if_any()
    assert values is not None
    before = _candidate_state(candidate)
    now = datetime.now(tz=UTC)
    for name, value in values.items():
        setattr(candidate, name, value)
    candidate.declared_truthful_by = viewer.user_id
    candidate.declared_truthful_at = now
    candidate.updated_at = now
    session.add(candidate)
    await _flush_candidate(session)
    _record_entry(
        session,
        viewer,
        AuditAction.UPDATE,
        candidate,
        project,
        changed_fields(before, _candidate_state(candidate)),
    )
    return candidate, project


async def delete_entry(
    session: AsyncSession,
    viewer: Viewer,
    *,
    model: type[Cost] | type[Candidate],
    entry_id: uuid.UUID | None,
) -> Project:
    entry, project = await entry_for_change(session, viewer, model, entry_id)
    problems = ProblemCollector()
    _check_project_open(problems, project)
    _check_not_validated(problems, entry)
    problems.raise_if_any()
    _record_entry(session, viewer, AuditAction.DELETE, entry, project, [])
    await session.delete(entry)
    await session.flush()
    return project


async def validate_entry(
    session: AsyncSession,
    viewer: Viewer,
    *,
    model: type[Cost] | type[Candidate],
    entry_id: uuid.UUID | None,
) -> tuple[Cost | Candidate, Project]:
    """Mark an entry as validated by the account manager; it is locked from then on."""
    if entry_id is None:
        raise NotFound
    entry: Cost | Candidate | None = await session.get(
        model, entry_id, with_for_update=True
    )
    if entry is None:
        raise NotFound
    project = await session.get(Project, entry.project_id)
    assert project is not None
    parties = _parties(project)
    if not may_see_project(viewer, parties) or not may_validate_on_project(
        viewer, parties
    ):
        raise NotFound
    problems = ProblemCollector()
    _check_project_open(problems, project)
    if entry.validated_at is not None:
        problems.add(
            "id", UserErrorCode.ALREADY_VALIDATED, "The entry is validated already."
        )
    problems.raise_if_any()
    entry.validated_at = datetime.now(tz=UTC)
    entry.validated_by = viewer.user_id
    session.add(entry)
    await session.flush()
    _record_entry(
        session, viewer, AuditAction.VALIDATE, entry, project, ["validated_at"]
    )
    return entry, project


async def possible_duplicates(
    session: AsyncSession, candidate_ids: list[uuid.UUID]
) -> set[uuid.UUID]:
    """Return the candidates whose person occurs on another project with an overlapping period.

    ``person_key`` is keyed per region, so equal keys can only come from the
    same region. Nothing of the other project is returned.
    """
    # One statement reads every entry of the same people; the overlap is
    # compared here. A condition like project_id <> x in SQL made PostgreSQL
    # pick the exclusion constraint's GiST index at times, about 100 times
    # slower than the person_key index (bench/project_list.py).
    keys = sa.select(col(Candidate.person_key)).where(
        col(Candidate.id).in_(candidate_ids)
    )
    rows = (
        await session.exec(  # type: ignore[call-overload]
            sa.select(
                col(Candidate.id),
                col(Candidate.person_key),
                col(Candidate.project_id),
                col(Candidate.start_date),
                col(Candidate.end_date),
            ).where(col(Candidate.person_key).in_(keys))
        )
    ).all()
    by_person: dict[str, list[Any]] = {}
    for row in rows:
        by_person.setdefault(row.person_key, []).append(row)
    requested = set(candidate_ids)
    flagged: set[uuid.UUID] = set()
    for entries in by_person.values():
        for entry in entries:
            if entry.id not in requested:
                continue
            if any(
                other.project_id != entry.project_id
                and other.start_date <= entry.end_date
                and other.end_date >= entry.start_date
                for other in entries
            ):
                flagged.add(entry.id)
    return flagged
