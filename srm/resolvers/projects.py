"""Resolvers of project queries and of createProject."""

from __future__ import annotations

import logging
import uuid

import strawberry
from strawberry.types import Info

from srm.domain.errors import InputProblems
from srm.domain.inputs import MAX_MONEY
from srm.resolvers.common import (
    backward_window,
    context_of,
    page_window,
    require_viewer,
)
from srm.schema.errors import UserError, bad_request, from_input_problems, user_errors
from srm.schema.inputs import CreateProjectInput, ProjectFilter, ProjectOrder
from srm.schema.relay import Connection, build_connection, decode_id
from srm.schema.types import Project
from srm.services import projects as project_service

logger = logging.getLogger(__name__)


def _filter_values(value: ProjectFilter | None) -> project_service.ProjectFilterValues:
    if value is None:
        return project_service.ProjectFilterValues()
    region_id = decode_id(value.region, "Region") if value.region else None
    if value.region and region_id is None:
        # An unknown region matches no project rather than every project.
        region_id = uuid.UUID(int=0)
    amounts = value.obligation_amount
    for bound in (amounts.from_, amounts.to) if amounts else ():
        if bound is not None and not 0 <= bound <= MAX_MONEY:
            raise bad_request(
                f"obligationAmount bounds must lie between 0 and {MAX_MONEY}, got {bound}."
            )
    return project_service.ProjectFilterValues(
        search=value.search,
        status=value.status,
        region_id=region_id,
        agreement_type=value.agreement_type,
        start_date_from=value.start_date.from_ if value.start_date else None,
        start_date_to=value.start_date.to if value.start_date else None,
        end_date_from=value.end_date.from_ if value.end_date else None,
        end_date_to=value.end_date.to if value.end_date else None,
        obligation_from=value.obligation_amount.from_
        if value.obligation_amount
        else None,
        obligation_to=value.obligation_amount.to if value.obligation_amount else None,
        completed=value.completed,
    )


async def resolve_projects(
    info: Info,
    filter: ProjectFilter | None = None,
    order_by: list[ProjectOrder] | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> Connection[Project]:
    context = context_of(info)
    viewer = require_viewer(info)
    if (first is not None or after is not None) and (
        last is not None or before is not None
    ):
        raise bad_request("Use first and after, or last and before, not both.")
    filters = _filter_values(filter)
    order = [
        project_service.OrderTerm(
            project_service.ProjectOrderField(term.field.value),  # type: ignore[attr-defined]
            descending=term.direction.value == "DESC",
        )
        for term in order_by or []
    ]
    async with context.sessionmaker() as session:
        if last is not None or before is not None:
            count_page = await project_service.list_projects(
                session,
                viewer,
                filters=filters,
                order=order,
                offset=0,
                limit=0,
                today=context.today,
            )
            offset, limit = backward_window(last, before, count_page.total)
        else:
            offset, limit = page_window(first, after)
        page = await project_service.list_projects(
            session,
            viewer,
            filters=filters,
            order=order,
            offset=offset,
            limit=limit,
            today=context.today,
        )
    items = [Project.from_row(row) for row in page.rows]
    return build_connection(items, offset=offset, total=page.total)


async def load_project(info: Info, project_id: uuid.UUID) -> Project | None:
    """Return the project if the viewer may see it, else None."""
    context = context_of(info)
    viewer = require_viewer(info)
    async with context.sessionmaker() as session:
        page = await project_service.list_projects(
            session,
            viewer,
            filters=project_service.ProjectFilterValues(),
            order=[],
            offset=0,
            limit=1,
            today=context.today,
            project_ids=[project_id],
        )
    return Project.from_row(page.rows[0]) if page.rows else None


async def resolve_project(info: Info, id: strawberry.ID) -> Project | None:
    project_id = decode_id(id, "Project")
    if project_id is None:
        require_viewer(info)
        return None
    return await load_project(info, project_id)


@strawberry.type(description="Result of createProject.")
class CreateProjectPayload:
    project: Project | None
    user_errors: list[UserError]


async def resolve_create_project(
    info: Info, input: CreateProjectInput
) -> CreateProjectPayload:
    context = context_of(info)
    viewer = require_viewer(info)
    intermediary_given = input.intermediary_id not in (strawberry.UNSET, None)
    new = project_service.NewProject(
        name=input.name,
        reference=input.reference,
        contractor_id=decode_id(input.contractor_id, "Organisation"),
        intermediary_id=decode_id(input.intermediary_id, "Organisation")
        if intermediary_given
        else None,  # type: ignore[arg-type]
        intermediary_given=intermediary_given,
        region_id=decode_id(input.region_id, "Region"),
        policy_id=decode_id(input.policy_id, "Policy"),
        start_date=input.start_date,
        end_date=input.end_date,
        agreement_type=input.agreement_type,
        obligation_amount=input.obligation_amount,
    )
    try:
        async with context.sessionmaker.begin() as session:
            created = await project_service.create_project(session, viewer, new)
    except InputProblems as problems:
        return CreateProjectPayload(
            project=None, user_errors=from_input_problems(problems)
        )
    logger.info("project %s created by user %s", created.id, viewer.user_id)
    return CreateProjectPayload(
        project=await load_project(info, created.id), user_errors=user_errors([])
    )
