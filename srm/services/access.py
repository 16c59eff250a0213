"""SQL form of the project visibility rule in ``srm.domain.access``."""

from __future__ import annotations

import sqlalchemy as sa

from srm.domain.access import REGIONAL_ROLES, Viewer
from srm.models import Project


def visible_projects_clause(viewer: Viewer) -> sa.ColumnElement[bool]:
    """Return a WHERE clause that keeps the projects ``viewer`` may see."""
    table = Project.__table__.c  # type: ignore[attr-defined]
    if viewer.role in REGIONAL_ROLES:
        if viewer.region_id is None:
            return sa.false()
        return table.region_id == viewer.region_id
    return sa.or_(
        table.contracting_authority_id == viewer.organisation_id,
        table.contractor_id == viewer.organisation_id,
        table.intermediary_id == viewer.organisation_id,
    )
