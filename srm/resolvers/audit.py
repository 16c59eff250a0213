"""Resolvers of the audit trail: a region's trail for coordinators, a project's for its contacts."""

from __future__ import annotations

import uuid

from strawberry.types import Info

from srm.domain.access import ProjectParties, may_account_on_project, may_read_field
from srm.models import AuditEvent as AuditEventRow
from srm.models import Project as ProjectRow
from srm.resolvers.common import context_of, page_window, require_viewer
from srm.schema.relay import Connection, build_connection
from srm.schema.types import AuditEvent
from srm.services.audit import list_events


async def resolve_audit_trail(
    info: Info, first: int | None = None, after: str | None = None
) -> Connection[AuditEvent]:
    """Return the events of the coordinator's region, newest first."""
    context = context_of(info)
    viewer = require_viewer(info)
    offset, limit = page_window(first, after)
    if viewer.region_id is None:
        return build_connection([], offset=offset, total=0)
    async with context.sessionmaker() as session:
        rows, total = await list_events(
            session,
            where=[AuditEventRow.region_id == viewer.region_id],  # type: ignore[list-item]
            offset=offset,
            limit=limit,
        )
    return build_connection(
        [AuditEvent.from_row(r) for r in rows], offset=offset, total=total
    )


async def resolve_project_audit_trail(
    project_id: uuid.UUID, info: Info, first: int | None, after: str | None
) -> Connection[AuditEvent] | None:
    """Return a project's events to its contractor and intermediary; null for other roles."""
    context = context_of(info)
    viewer = require_viewer(info)
    if not may_read_field(viewer.role, "Project.auditTrail"):
        return None
    offset, limit = page_window(first, after)
    async with context.sessionmaker() as session:
        project = await session.get(ProjectRow, project_id)
        if project is None:
            return None
        parties = ProjectParties(
            project.contracting_authority_id,
            project.contractor_id,
            project.intermediary_id,
            project.region_id,
        )
        if not may_account_on_project(viewer, parties):
            return None
        rows, total = await list_events(
            session,
            where=[AuditEventRow.project_id == project_id],  # type: ignore[list-item]
            offset=offset,
            limit=limit,
        )
    return build_connection(
        [AuditEvent.from_row(r) for r in rows], offset=offset, total=total
    )
