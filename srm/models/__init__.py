"""Tables of the monitor (SQLModel). Importing this package registers them all."""

from srm.models.accountability import Candidate, Cost
from srm.models.accounts import AccountToken, OutboxMail
from srm.models.audit import AuditEvent
from srm.models.organisations import Organisation, Session, User
from srm.models.policies import Bonus, BuildingBlock, CostCategory, Policy
from srm.models.projects import Project
from srm.models.reference import Municipality, Region, Residence

__all__ = [
    "AccountToken",
    "AuditEvent",
    "Bonus",
    "BuildingBlock",
    "Candidate",
    "Cost",
    "CostCategory",
    "Municipality",
    "Organisation",
    "OutboxMail",
    "Policy",
    "Project",
    "Region",
    "Residence",
    "Session",
    "User",
]
