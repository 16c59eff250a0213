"""GraphQL input types, filters and orderings."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from srm.schema.types import (
    AgreementType,
    ContractType,
    Decimal_,
    EducationLevel,
    ProjectStatus,
    TargetGroup,
)
from srm.services.projects import ProjectOrderField as DomainProjectOrderField

ProjectOrderField = strawberry.enum(
    DomainProjectOrderField,
    description="Column to sort the project list on (sorteerkolom).",
)


@strawberry.enum(description="Sort direction (sorteerrichting).")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


@strawberry.input(description="One sort key of the project list.")
class ProjectOrder:
    field: ProjectOrderField  # type: ignore[valid-type]
    direction: OrderDirection = OrderDirection.ASC


@strawberry.input(description="Range of dates, both ends inclusive and optional.")
class DateRange:
    from_: dt.date | None = strawberry.field(default=None, name="from")
    to: dt.date | None = None


@strawberry.input(
    description="Range of amounts in euros, both ends inclusive and optional."
)
class DecimalRange:
    from_: Decimal_ | None = strawberry.field(default=None, name="from")  # type: ignore[valid-type]
    to: Decimal_ | None = None  # type: ignore[valid-type]


@strawberry.input(description="Filters of the project list (filters).")
class ProjectFilter:
    search: str | None = strawberry.field(
        default=None, description="Text in name, reference or an organisation's name."
    )
    status: list[ProjectStatus] | None = None  # type: ignore[valid-type]
    region: strawberry.ID | None = None
    agreement_type: list[AgreementType] | None = None  # type: ignore[valid-type]
    start_date: DateRange | None = None
    end_date: DateRange | None = None
    obligation_amount: DecimalRange | None = None
    completed: bool = strawberry.field(
        default=False,
        description="false (default): projects not completed; true: only completed projects.",
    )


@strawberry.input(description="Email address and password, the first login step.")
class LoginInput:
    email: str
    password: str


@strawberry.input(
    description="Challenge from login and the 6-digit authenticator code."
)
class VerifyTotpInput:
    challenge: str
    code: str
    cookie: bool = strawberry.field(
        default=False,
        description="Browsers: set an HttpOnly session cookie instead of returning the token; "
        "later requests then send the srm_csrf cookie's value in an X-CSRF-Token header.",
    )


@strawberry.input(description="A new project (opdracht).")
class CreateProjectInput:
    name: str
    reference: str | None = None
    contractor_id: strawberry.ID
    intermediary_id: strawberry.ID | None = strawberry.UNSET
    region_id: strawberry.ID
    policy_id: strawberry.ID
    start_date: dt.date
    end_date: dt.date
    agreement_type: AgreementType  # type: ignore[valid-type]
    obligation_amount: Decimal_ | None = strawberry.field(  # type: ignore[valid-type]
        default=None,
        description="The amount; the estimate for FRAMEWORK; an optional target for BEST_EFFORT.",
    )


@strawberry.input(description="A new cost (kosten).")
class AddCostInput:
    project_id: strawberry.ID
    description: str
    date: dt.date
    category_id: strawberry.ID | None = strawberry.UNSET
    amount: Decimal_ | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Amount in euros, for categories valued by amount."
    )
    hours: Decimal_ | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Hours, for categories valued per hour."
    )
    declared_truthful: bool = strawberry.field(
        description="The user declares the entry truthful (naar waarheid ingevuld)."
    )
    note: str | None = None


@strawberry.input(description="Changes to a cost; fields left out keep their value.")
class UpdateCostInput:
    id: strawberry.ID
    description: str | None = strawberry.UNSET
    date: dt.date | None = strawberry.UNSET
    category_id: strawberry.ID | None = strawberry.UNSET
    amount: Decimal_ | None = strawberry.UNSET  # type: ignore[valid-type]
    hours: Decimal_ | None = strawberry.UNSET  # type: ignore[valid-type]
    note: str | None = strawberry.UNSET
    declared_truthful: bool = strawberry.field(
        description="The user declares the changed entry truthful."
    )


@strawberry.input(description="A new candidate (kandidaat).")
class AddCandidateInput:
    project_id: strawberry.ID
    first_name: str
    name_infix: str | None = None
    last_name: str
    date_of_birth: dt.date
    residence_id: strawberry.ID = strawberry.field(
        description="Id of a residence from residences(search:)."
    )
    job_title: str
    education_level: EducationLevel  # type: ignore[valid-type]
    building_block_id: strawberry.ID
    bonus_codes: list[str] | None = strawberry.field(
        default=None, description="Chosen bonuses; age bonuses apply by themselves."
    )
    target_group: TargetGroup  # type: ignore[valid-type]
    contract_type: ContractType  # type: ignore[valid-type]
    start_date: dt.date
    end_date: dt.date
    hours_per_week: Decimal_  # type: ignore[valid-type]
    hourly_wage: Decimal_ | None = None  # type: ignore[valid-type]
    declared_truthful: bool
    note: str | None = None


@strawberry.input(
    description="Changes to a candidate; fields left out keep their value."
)
class UpdateCandidateInput:
    id: strawberry.ID
    first_name: str | None = strawberry.UNSET
    name_infix: str | None = strawberry.UNSET
    last_name: str | None = strawberry.UNSET
    date_of_birth: dt.date | None = strawberry.UNSET
    residence_id: strawberry.ID | None = strawberry.UNSET
    job_title: str | None = strawberry.UNSET
    education_level: EducationLevel | None = strawberry.UNSET  # type: ignore[valid-type]
    building_block_id: strawberry.ID | None = strawberry.UNSET
    bonus_codes: list[str] | None = strawberry.UNSET
    target_group: TargetGroup | None = strawberry.UNSET  # type: ignore[valid-type]
    contract_type: ContractType | None = strawberry.UNSET  # type: ignore[valid-type]
    start_date: dt.date | None = strawberry.UNSET
    end_date: dt.date | None = strawberry.UNSET
    hours_per_week: Decimal_ | None = strawberry.UNSET  # type: ignore[valid-type]
    hourly_wage: Decimal_ | None = strawberry.UNSET  # type: ignore[valid-type]
    note: str | None = strawberry.UNSET
    declared_truthful: bool


@strawberry.input(description="The cost or candidate to delete.")
class DeleteEntryInput:
    id: strawberry.ID


@strawberry.input(description="The cost or candidate to validate (valideren).")
class ValidateEntryInput:
    id: strawberry.ID
