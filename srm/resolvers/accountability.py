"""Resolvers of the accountability mutations: costs and candidates."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import strawberry
from strawberry.types import Info

from srm.domain.errors import InputProblems
from srm.models import Candidate as CandidateRow
from srm.models import Cost as CostRow
from srm.resolvers.common import context_of, require_viewer
from srm.resolvers.projects import load_project
from srm.schema.errors import UserError, from_input_problems, not_found, user_errors
from srm.schema.inputs import (
    AddCandidateInput,
    AddCostInput,
    DeleteEntryInput,
    UpdateCandidateInput,
    UpdateCostInput,
    ValidateEntryInput,
)
from srm.schema.relay import decode_id, from_global_id
from srm.schema.types import Candidate, Cost, Project
from srm.services import accountability as service

logger = logging.getLogger(__name__)


@strawberry.type(description="Result of addCost.")
class AddCostPayload:
    cost: Cost | None
    project: Project | None
    user_errors: list[UserError]
    warnings: list[UserError] = strawberry.field(
        description="Saved, but worth a look: e.g. personal data in the description."
    )


@strawberry.type(description="Result of updateCost.")
class UpdateCostPayload:
    cost: Cost | None
    project: Project | None
    user_errors: list[UserError]
    warnings: list[UserError]


@strawberry.type(description="Result of addCandidate.")
class AddCandidatePayload:
    candidate: Candidate | None
    project: Project | None
    user_errors: list[UserError]


@strawberry.type(description="Result of updateCandidate.")
class UpdateCandidatePayload:
    candidate: Candidate | None
    project: Project | None
    user_errors: list[UserError]


@strawberry.type(description="Result of validateEntry.")
class ValidateEntryPayload:
    cost: Cost | None
    candidate: Candidate | None
    user_errors: list[UserError]


@strawberry.type(description="Result of deleteEntry.")
class DeleteEntryPayload:
    deleted_id: strawberry.ID | None
    project: Project | None
    user_errors: list[UserError]


def _secret(info: Info) -> bytes:
    return context_of(info).settings.secret_key.get_secret_value().encode()


def _given(value: Any) -> bool:
    return value is not strawberry.UNSET


async def resolve_add_cost(info: Info, input: AddCostInput) -> AddCostPayload:
    context = context_of(info)
    viewer = require_viewer(info)
    category_given = input.category_id not in (strawberry.UNSET, None)
    try:
        async with context.sessionmaker.begin() as session:
            cost, project, warnings = await service.add_cost(
                session,
                viewer,
                project_id=decode_id(input.project_id, "Project"),
                description=input.description,
                entry_date=input.date,
                category_id=decode_id(input.category_id, "CostCategory")
                if category_given
                else None,  # type: ignore[arg-type]
                category_given=category_given,
                amount=input.amount,
                hours=input.hours,
                declared_truthful=input.declared_truthful,
                note=input.note,
            )
    except InputProblems as problems:
        return AddCostPayload(
            cost=None,
            project=None,
            user_errors=from_input_problems(problems),
            warnings=[],
        )
    logger.info(
        "cost %s added to project %s by user %s", cost.id, project.id, viewer.user_id
    )
    return AddCostPayload(
        cost=Cost.from_row(cost, viewer.role),
        project=await load_project(info, project.id),
        user_errors=[],
        warnings=user_errors(warnings),
    )


_COST_FIELDS = {
    "description": "description",
    "date": "date",
    "amount": "amount",
    "hours": "hours",
    "note": "note",
}


async def resolve_update_cost(info: Info, input: UpdateCostInput) -> UpdateCostPayload:
    context = context_of(info)
    viewer = require_viewer(info)
    changes: dict[str, Any] = {
        name: getattr(input, attribute)
        for attribute, name in _COST_FIELDS.items()
        if _given(getattr(input, attribute))
    }
    if _given(input.category_id):
        changes["category_id"] = (
            decode_id(input.category_id, "CostCategory") if input.category_id else None
        )
    try:
        async with context.sessionmaker.begin() as session:
            cost, project, warnings = await service.update_cost(
                session,
                viewer,
                cost_id=decode_id(input.id, "Cost"),
                changes=changes,
                declared_truthful=input.declared_truthful,
            )
    except InputProblems as problems:
        return UpdateCostPayload(
            cost=None,
            project=None,
            user_errors=from_input_problems(problems),
            warnings=[],
        )
    logger.info("cost %s updated by user %s", cost.id, viewer.user_id)
    return UpdateCostPayload(
        cost=Cost.from_row(cost, viewer.role),
        project=await load_project(info, project.id),
        user_errors=[],
        warnings=user_errors(warnings),
    )


def _candidate_fields(input: AddCandidateInput) -> service.CandidateFields:
    return service.CandidateFields(
        first_name=input.first_name,
        name_infix=input.name_infix,
        last_name=input.last_name,
        date_of_birth=input.date_of_birth,
        residence_id=decode_id(input.residence_id, "Residence"),
        job_title=input.job_title,
        education_level=input.education_level,
        building_block_id=decode_id(input.building_block_id, "BuildingBlock"),
        bonus_codes=input.bonus_codes,
        target_group=input.target_group,
        contract_type=input.contract_type,
        start_date=input.start_date,
        end_date=input.end_date,
        hours_per_week=input.hours_per_week,
        hourly_wage=input.hourly_wage,
        note=input.note,
    )


async def resolve_add_candidate(
    info: Info, input: AddCandidateInput
) -> AddCandidatePayload:
    context = context_of(info)
    viewer = require_viewer(info)
    try:
        async with context.sessionmaker.begin() as session:
            candidate, project = await service.add_candidate(
                session,
                viewer,
                project_id=decode_id(input.project_id, "Project"),
                fields=_candidate_fields(input),
                declared_truthful=input.declared_truthful,
                secret=_secret(info),
            )
    except InputProblems as problems:
        return AddCandidatePayload(
            candidate=None, project=None, user_errors=from_input_problems(problems)
        )
    logger.info(
        "candidate %s added to project %s by user %s",
        candidate.id,
        project.id,
        viewer.user_id,
    )
    return AddCandidatePayload(
        candidate=Candidate.from_row(candidate, viewer.role, context.today),
        project=await load_project(info, project.id),
        user_errors=[],
    )


_CANDIDATE_PLAIN_FIELDS = (
    "first_name",
    "name_infix",
    "last_name",
    "date_of_birth",
    "job_title",
    "education_level",
    "bonus_codes",
    "target_group",
    "contract_type",
    "start_date",
    "end_date",
    "hours_per_week",
    "hourly_wage",
    "note",
)


async def resolve_update_candidate(
    info: Info, input: UpdateCandidateInput
) -> UpdateCandidatePayload:
    context = context_of(info)
    viewer = require_viewer(info)
    changes: dict[str, Any] = {
        name: getattr(input, name)
        for name in _CANDIDATE_PLAIN_FIELDS
        if _given(getattr(input, name))
    }
    if _given(input.residence_id):
        changes["residence_id"] = decode_id(input.residence_id, "Residence")
    if _given(input.building_block_id):
        changes["building_block_id"] = decode_id(
            input.building_block_id, "BuildingBlock"
        )
    try:
        async with context.sessionmaker.begin() as session:
            candidate, project = await service.update_candidate(
                session,
                viewer,
                candidate_id=decode_id(input.id, "Candidate"),
                changes=changes,
                declared_truthful=input.declared_truthful,
                secret=_secret(info),
            )
    except InputProblems as problems:
        return UpdateCandidatePayload(
            candidate=None, project=None, user_errors=from_input_problems(problems)
        )
    logger.info("candidate %s updated by user %s", candidate.id, viewer.user_id)
    return UpdateCandidatePayload(
        candidate=Candidate.from_row(candidate, viewer.role, context.today),
        project=await load_project(info, project.id),
        user_errors=[],
    )


_ENTRY_MODELS: dict[str, type[CostRow] | type[CandidateRow]] = {
    "Cost": CostRow,
    "Candidate": CandidateRow,
}


def _decode_entry_id(
    global_id: str,
) -> tuple[str, uuid.UUID, type[CostRow] | type[CandidateRow]]:
    """Decode the id of a cost or candidate; anything else is NOT_FOUND."""
    decoded = from_global_id(global_id)
    if decoded is None or decoded[0] not in _ENTRY_MODELS:
        raise not_found()
    return decoded[0], decoded[1], _ENTRY_MODELS[decoded[0]]


async def resolve_delete_entry(
    info: Info, input: DeleteEntryInput
) -> DeleteEntryPayload:
    context = context_of(info)
    viewer = require_viewer(info)
    type_name, entry_id, model = _decode_entry_id(input.id)
    try:
        async with context.sessionmaker.begin() as session:
            project = await service.delete_entry(
                session, viewer, model=model, entry_id=entry_id
            )
    except InputProblems as problems:
        return DeleteEntryPayload(
            deleted_id=None, project=None, user_errors=from_input_problems(problems)
        )
    logger.info("%s %s deleted by user %s", type_name.lower(), entry_id, viewer.user_id)
    return DeleteEntryPayload(
        deleted_id=input.id,
        project=await load_project(info, project.id),
        user_errors=[],
    )


async def resolve_validate_entry(
    info: Info, input: ValidateEntryInput
) -> ValidateEntryPayload:
    context = context_of(info)
    viewer = require_viewer(info)
    type_name, entry_id, model = _decode_entry_id(input.id)
    try:
        async with context.sessionmaker.begin() as session:
            entry, _project = await service.validate_entry(
                session, viewer, model=model, entry_id=entry_id
            )
    except InputProblems as problems:
        return ValidateEntryPayload(
            cost=None, candidate=None, user_errors=from_input_problems(problems)
        )
    logger.info(
        "%s %s validated by user %s", type_name.lower(), entry.id, viewer.user_id
    )
    if isinstance(entry, CostRow):
        return ValidateEntryPayload(
            cost=Cost.from_row(entry, viewer.role), candidate=None, user_errors=[]
        )
    return ValidateEntryPayload(
        cost=None,
        candidate=Candidate.from_row(entry, viewer.role, context.today),
        user_errors=[],
    )
