"""GraphQL object types. Each description gives the Dutch term users know."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from srm.domain import enums
from srm.domain.access import may_read_field
from srm.domain.masking import redacted_fields
from srm.domain.valuation import CandidateValuation, effective_obligation
from srm.models import (
    Bonus as BonusRow,
)
from srm.models import (
    BuildingBlock as BuildingBlockRow,
)
from srm.models import (
    Candidate as CandidateRow,
)
from srm.models import (
    Cost as CostRow,
)
from srm.models import (
    CostCategory as CostCategoryRow,
)
from srm.models import (
    Municipality as MunicipalityRow,
)
from srm.models import (
    Organisation as OrganisationRow,
)
from srm.models import (
    Policy as PolicyRow,
)
from srm.models import (
    Region as RegionRow,
)
from srm.models import (
    Residence as ResidenceRow,
)
from srm.schema.directives import Role, field_directive, field_roles_text
from srm.schema.relay import (
    DEFAULT_PAGE_SIZE,
    Connection,
    Node,
    build_connection,
    decode_cursor,
    to_global_id,
)
from srm.schema.scalars import DecimalScalar

OrganisationKind = strawberry.enum(
    enums.OrganisationKind, description="Kind of organisation (soort organisatie)."
)
AgreementType = strawberry.enum(
    enums.AgreementType,
    description=(
        "Agreement type (soort afspraak): OBLIGATION (SR verplichting), FRAMEWORK "
        "(raamovereenkomst), BEST_EFFORT (inspanningsverplichting)."
    ),
)
ProjectStatus = strawberry.enum(
    enums.ProjectStatus, description="Project status (status)."
)
EducationLevel = strawberry.enum(
    enums.EducationLevel, description="Education level (opleidingsniveau)."
)
TargetGroup = strawberry.enum(
    enums.TargetGroup, description="Target group (doelgroep)."
)
ContractType = strawberry.enum(
    enums.ContractType, description="Contract type (contractsoort)."
)
BonusKind = strawberry.enum(
    enums.BonusKind, description="How a bonus counts (soort bonus)."
)
CostValuation = strawberry.enum(
    enums.CostValuation, description="How a cost category is valued (waardering)."
)

Decimal_ = DecimalScalar


def _money(value: Decimal) -> DecimalScalar:
    return DecimalScalar(Decimal(value).quantize(Decimal("0.01")))


@strawberry.type(description="Labour-market region (arbeidsmarktregio).")
class Region:
    id: strawberry.ID
    code: str
    name: str

    @classmethod
    def from_row(cls, row: RegionRow) -> Region:
        return cls(id=to_global_id("Region", row.id), code=row.code, name=row.name)


@strawberry.type(description="Municipality (gemeente).")
class Municipality:
    id: strawberry.ID
    code: str = strawberry.field(
        description="CBS municipality code, four digits (gemeentecode)."
    )
    name: str

    @classmethod
    def from_row(cls, row: MunicipalityRow) -> Municipality:
        return cls(
            id=to_global_id("Municipality", row.id), code=row.code, name=row.name
        )


@strawberry.type(description="Place of residence (woonplaats) with its municipality.")
class Residence:
    id: strawberry.ID
    name: str
    bag_code: str | None = strawberry.field(
        description="BAG residence code (woonplaatscode)."
    )
    municipality: Municipality

    @classmethod
    def from_rows(cls, row: ResidenceRow, municipality: MunicipalityRow) -> Residence:
        return cls(
            id=to_global_id("Residence", row.id),
            name=row.name,
            bag_code=row.bag_code,
            municipality=Municipality.from_row(municipality),
        )


@strawberry.type(description="Organisation (organisatie).")
class Organisation(Node):
    id: strawberry.ID
    name: str
    kind: OrganisationKind  # type: ignore[valid-type]
    kvk_number: str | None = strawberry.field(
        description="Chamber of Commerce number (KvK-nummer)."
    )
    _organisation_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: OrganisationRow) -> Organisation:
        return cls(
            id=to_global_id("Organisation", row.id),
            name=row.name,
            kind=row.kind,
            kvk_number=row.kvk_number,
            _organisation_id=row.id,
        )

    @strawberry.field(
        description="Accounts of the organisation (accounts); null unless the viewer works "
        "there or is a coordinator who administers it."
        + field_roles_text("Organisation.users"),
        directives=field_directive("Organisation.users"),
    )
    async def users(self, info: Info) -> list[User] | None:
        from srm.resolvers.accounts import resolve_organisation_users

        return await resolve_organisation_users(info, self._organisation_id)


@strawberry.type(
    description="Building block (bouwblok): yearly value of a kind of placement."
)
class BuildingBlock:
    id: strawberry.ID
    code: str
    name: str
    yearly_value: Decimal_ = strawberry.field(  # type: ignore[valid-type]
        description="Value for a year of full-time work (waarde per jaar)."
    )
    max_months: int | None = strawberry.field(
        description="Counting cap in months (maximale telduur); null means no cap."
    )

    @classmethod
    def from_row(cls, row: BuildingBlockRow) -> BuildingBlock:
        return cls(
            id=to_global_id("BuildingBlock", row.id),
            code=row.code,
            name=row.name,
            yearly_value=_money(row.yearly_value),
            max_months=row.max_months,
        )


@strawberry.type(description="Bonus (bonus) on top of a building block.")
class Bonus:
    id: strawberry.ID
    code: str
    name: str
    kind: BonusKind  # type: ignore[valid-type]
    yearly_value: Decimal_ | None  # type: ignore[valid-type]
    min_age: int | None = strawberry.field(
        description="Age bonus: applies by itself from this age at the start (minimumleeftijd)."
    )

    @classmethod
    def from_row(cls, row: BonusRow) -> Bonus:
        return cls(
            id=to_global_id("Bonus", row.id),
            code=row.code,
            name=row.name,
            kind=row.kind,
            yearly_value=_money(row.yearly_value)
            if row.yearly_value is not None
            else None,
            min_age=row.min_age,
        )


@strawberry.type(description="Cost category (keuzekaart) of a policy.")
class CostCategory:
    id: strawberry.ID
    code: str
    name: str
    valuation: CostValuation  # type: ignore[valid-type]
    hourly_rate: Decimal_ | None = strawberry.field(  # type: ignore[valid-type]
        description="Amount per hour for categories valued per hour (uurtarief)."
    )

    @classmethod
    def from_row(cls, row: CostCategoryRow) -> CostCategory:
        return cls(
            id=to_global_id("CostCategory", row.id),
            code=row.code,
            name=row.name,
            valuation=row.valuation,
            hourly_rate=_money(row.hourly_rate)
            if row.hourly_rate is not None
            else None,
        )


@strawberry.type(description="Valuation policy version (beleid, methodiek).")
class Policy(Node):
    id: strawberry.ID
    code: str
    name: str
    source: str | None = strawberry.field(
        description="Where the table was published (bron)."
    )
    valid_from: dt.date | None = strawberry.field(
        description="Effective date (ingangsdatum)."
    )
    fulltime_hours_per_week: Decimal_ = strawberry.field(  # type: ignore[valid-type]
        description="Hours of a full-time week (voltijd uren per week)."
    )
    _policy_id: strawberry.Private[uuid.UUID]
    _region_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: PolicyRow) -> Policy:
        return cls(
            id=to_global_id("Policy", row.id),
            code=row.code,
            name=row.name,
            source=row.source,
            valid_from=row.valid_from,
            fulltime_hours_per_week=DecimalScalar(row.fulltime_hours_per_week),
            _policy_id=row.id,
            _region_id=row.region_id,
        )

    # A resolver, not a value set in from_row: every policy of a page then
    # resolves in the same step, so its nested lists load in one batch each.
    @strawberry.field(
        description="Region of this version; null for a national published table."
    )
    async def region(self, info: Info) -> Region | None:
        if self._region_id is None:
            return None
        return Region.from_row(await info.context.loaders.region.load(self._region_id))

    @strawberry.field(description="Building blocks (bouwblokken).")
    async def building_blocks(self, info: Info) -> list[BuildingBlock]:
        rows = await info.context.loaders.policy_blocks.load(self._policy_id)
        return [BuildingBlock.from_row(row) for row in rows]

    @strawberry.field(description="Bonuses (bonussen).")
    async def bonuses(self, info: Info) -> list[Bonus]:
        rows = await info.context.loaders.policy_bonuses.load(self._policy_id)
        return [Bonus.from_row(row) for row in rows]

    @strawberry.field(description="Cost categories (keuzekaart).")
    async def cost_categories(self, info: Info) -> list[CostCategory]:
        rows = await info.context.loaders.policy_categories.load(self._policy_id)
        return [CostCategory.from_row(row) for row in rows]


async def load_policy(info: Info, policy_id: uuid.UUID) -> Policy:
    loaders = info.context.loaders
    return Policy.from_row(await loaders.policy.load(policy_id))


@strawberry.type(description="Obligation (SR verplichting) of a project.")
class Obligation:
    amount: Decimal_ = strawberry.field(description="Amount in euros (bedrag).")  # type: ignore[valid-type]
    is_estimate: bool = strawberry.field(
        description="True while a framework agreement has only its estimate (raming)."
    )
    fixed_on: dt.date | None = strawberry.field(
        description="Date the framework amount was fixed (vastgesteld op)."
    )


@strawberry.type(description="Progress (voortgang): SR actual and SR forecast.")
class Progress:
    actual: Decimal_ = strawberry.field(
        description="SR actual (SR actueel) in euros, up to today."
    )  # type: ignore[valid-type]
    forecast: Decimal_ = strawberry.field(  # type: ignore[valid-type]
        description="SR forecast (SR prognose) in euros, with every contract run to its end."
    )
    actual_percentage: Decimal_ | None = strawberry.field(  # type: ignore[valid-type]
        description="SR actual as a percentage of the obligation, one decimal; null without obligation."
    )
    forecast_percentage: Decimal_ | None = strawberry.field(  # type: ignore[valid-type]
        description="SR forecast as a percentage of the obligation, one decimal; null without obligation."
    )


def _page_offset(first: int | None, after: str | None) -> tuple[int, int]:
    from srm.resolvers.common import page_window

    return page_window(first, after)


@strawberry.type(description="Cost (kosten) entered as accountability.")
class Cost(Node):
    id: strawberry.ID
    description: str = strawberry.field(
        description="Description (omschrijving), visible to the contracting authority."
    )
    amount: Decimal_ = strawberry.field(description="Amount in euros (bedrag).")  # type: ignore[valid-type]
    hours: Decimal_ | None = strawberry.field(  # type: ignore[valid-type]
        description="Hours, for a category valued per hour (uren)."
    )
    date: dt.date = strawberry.field(description="Date (datum).")
    note: str | None = strawberry.field(
        description="Private note (notitie). Masked for CONTRACTING_AUTHORITY and COORDINATOR."
    )
    validated: bool = strawberry.field(
        description="Validated by the account manager (gevalideerd); then locked."
    )
    redacted_fields: list[str] = strawberry.field(
        description="Fields withheld from this viewer (afgeschermde velden)."
    )
    _category_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: CostRow, role: enums.Role | None) -> Cost:
        hidden = redacted_fields("Cost", role)
        return cls(
            id=to_global_id("Cost", row.id),
            description=row.description,
            amount=_money(row.amount),
            hours=None if row.hours is None else DecimalScalar(row.hours),
            date=row.date,
            note=None if "note" in hidden else row.note,
            validated=row.validated_at is not None,
            redacted_fields=sorted(hidden),
            _category_id=row.category_id,
        )

    @strawberry.field(description="Cost category (keuzekaart).")
    async def category(self, info: Info) -> CostCategory | None:
        if self._category_id is None:
            return None
        row = await info.context.loaders.cost_category.load(self._category_id)
        return CostCategory.from_row(row) if row else None


MASKED = " Masked for CONTRACTING_AUTHORITY and COORDINATOR."


@strawberry.type(
    description="Candidate (kandidaat): a person given work on the project."
)
class Candidate(Node):
    id: strawberry.ID
    first_name: str | None = strawberry.field(
        description="First name (voornaam)." + MASKED
    )
    name_infix: str | None = strawberry.field(
        description="Name infix (tussenvoegsel)." + MASKED
    )
    last_name: str | None = strawberry.field(
        description="Last name (achternaam)." + MASKED
    )
    date_of_birth: dt.date | None = strawberry.field(
        description="Date of birth (geboortedatum)." + MASKED
    )
    hourly_wage: Decimal_ | None = strawberry.field(
        description="Hourly wage (uurloon)." + MASKED
    )  # type: ignore[valid-type]
    note: str | None = strawberry.field(description="Private note (notitie)." + MASKED)
    job_title: str = strawberry.field(description="Job title (functie).")
    education_level: EducationLevel  # type: ignore[valid-type]
    target_group: TargetGroup  # type: ignore[valid-type]
    contract_type: ContractType  # type: ignore[valid-type]
    bonus_codes: list[str] = strawberry.field(
        description="Chosen bonuses (gekozen bonussen)."
    )
    start_date: dt.date = strawberry.field(
        description="Deployed on the project from (ingezet vanaf)."
    )
    end_date: dt.date = strawberry.field(
        description="Deployed up to and including (ingezet tot en met)."
    )
    hours_per_week: Decimal_ = strawberry.field(
        description="Hours per week (uren per week)."
    )  # type: ignore[valid-type]
    value_actual: Decimal_ = strawberry.field(
        description="Value up to today (waarde actueel)."
    )  # type: ignore[valid-type]
    value_forecast: Decimal_ = strawberry.field(
        description="Value for the whole period (waarde prognose)."
    )  # type: ignore[valid-type]
    validated: bool = strawberry.field(
        description="Validated by the account manager (gevalideerd); then locked."
    )
    redacted_fields: list[str] = strawberry.field(
        description="Fields withheld from this viewer (afgeschermde velden)."
    )
    _residence_id: strawberry.Private[uuid.UUID | None]
    _municipality_id: strawberry.Private[uuid.UUID]
    _building_block_id: strawberry.Private[uuid.UUID]
    _candidate_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(
        cls, row: CandidateRow, role: enums.Role | None, today: dt.date
    ) -> Candidate:
        hidden = redacted_fields("Candidate", role)

        def shown(name: str, value: Any) -> Any:
            return None if name in hidden else value

        terms = CandidateValuation(
            first_day=row.first_day,
            last_day=row.last_day,
            yearly_value=row.yearly_value,
            hours_counted=row.hours_counted,
            fulltime_hours=row.fulltime_hours,
        )
        return cls(
            id=to_global_id("Candidate", row.id),
            first_name=shown("firstName", row.first_name),
            name_infix=shown("nameInfix", row.name_infix),
            last_name=shown("lastName", row.last_name),
            date_of_birth=shown("dateOfBirth", row.date_of_birth),
            hourly_wage=shown("hourlyWage", row.hourly_wage),
            note=shown("note", row.note),
            job_title=row.job_title,
            education_level=row.education_level,
            target_group=row.target_group,
            contract_type=row.contract_type,
            bonus_codes=list(row.bonus_codes),
            start_date=row.start_date,
            end_date=row.end_date,
            hours_per_week=DecimalScalar(row.hours_per_week),
            value_actual=DecimalScalar(terms.value(today)),
            value_forecast=_money(row.value_forecast),
            validated=row.validated_at is not None,
            redacted_fields=sorted(hidden),
            _residence_id=None if "residence" in hidden else row.residence_id,
            _municipality_id=row.municipality_id,
            _building_block_id=row.building_block_id,
            _candidate_id=row.id,
        )

    @strawberry.field(description="Place of residence (woonplaats)." + MASKED)
    async def residence(self, info: Info) -> Residence | None:
        if self._residence_id is None:
            return None
        row = await info.context.loaders.residence.load(self._residence_id)
        municipality = await info.context.loaders.municipality.load(row.municipality_id)
        return Residence.from_rows(row, municipality)

    @strawberry.field(description="Municipality of residence (gemeente).")
    async def municipality(self, info: Info) -> Municipality:
        row = await info.context.loaders.municipality.load(self._municipality_id)
        return Municipality.from_row(row)

    @strawberry.field(
        description=(
            "Possible double counting (mogelijke dubbeltelling): the same person "
            "(name and date of birth) is on another project of the region for an "
            "overlapping period. Says nothing about that project."
            + field_roles_text("Candidate.possibleDuplicate")
        ),
        directives=field_directive("Candidate.possibleDuplicate"),
    )
    async def possible_duplicate(self, info: Info) -> bool | None:
        viewer = info.context.viewer
        if not may_read_field(
            viewer.role if viewer else None, "Candidate.possibleDuplicate"
        ):
            return None
        return await info.context.loaders.possible_duplicate.load(self._candidate_id)  # type: ignore[no-any-return]

    @strawberry.field(description="Building block (bouwblok).")
    async def building_block(self, info: Info) -> BuildingBlock:
        row = await info.context.loaders.building_block.load(self._building_block_id)
        return BuildingBlock.from_row(row)


@strawberry.type(
    description="Recorded action (audittrail-regel); names fields, never values."
)
class AuditEvent:
    id: strawberry.ID
    at: dt.datetime = strawberry.field(description="Time in UTC (tijdstip).")
    action: str = strawberry.field(
        description="CREATE, UPDATE, DELETE, VALIDATE, APPROVE, COMPLETE, LOGIN, LOGIN_FAILED, LOGOUT, TOTP_RESET or EXPORT."
    )
    object_type: str = strawberry.field(description="Kind of object (soort object).")
    object_id: strawberry.ID | None = strawberry.field(
        description="Global id of the object."
    )
    changed_fields: list[str] = strawberry.field(
        description="Names of the fields that changed (gewijzigde velden)."
    )
    request_id: str | None
    _user_id: strawberry.Private[uuid.UUID | None]
    _organisation_id: strawberry.Private[uuid.UUID | None]

    @classmethod
    def from_row(cls, row: Any) -> AuditEvent:
        return cls(
            id=to_global_id("AuditEvent", row.id),
            at=row.at,
            action=row.action,
            object_type=row.object_type,
            object_id=to_global_id(row.object_type, row.object_id)
            if row.object_id
            else None,
            changed_fields=list(row.changed_fields),
            request_id=row.request_id,
            _user_id=row.user_id,
            _organisation_id=row.organisation_id,
        )

    @strawberry.field(description="Organisation of the user who acted (organisatie).")
    async def organisation(self, info: Info) -> Organisation | None:
        if self._organisation_id is None:
            return None
        row = await info.context.loaders.organisation.load(self._organisation_id)
        return Organisation.from_row(row) if row else None


CostConnection = Connection[Cost]
CandidateConnection = Connection[Candidate]


@strawberry.type(description="Project (opdracht) with a social return obligation.")
class Project(Node):
    id: strawberry.ID
    name: str = strawberry.field(description="Name (naam).")
    reference: str | None = strawberry.field(description="Reference number (kenmerk).")
    start_date: dt.date = strawberry.field(description="Start date (startdatum).")
    end_date: dt.date = strawberry.field(description="End date (einddatum).")
    agreement_type: AgreementType  # type: ignore[valid-type]
    obligation: Obligation | None = strawberry.field(
        description="Obligation (verplichting); null for best effort without a target."
    )
    progress: Progress = strawberry.field(
        description="SR actual and forecast (voortgang)."
    )
    status: ProjectStatus  # type: ignore[valid-type]
    _project_id: strawberry.Private[uuid.UUID]
    _contracting_authority_id: strawberry.Private[uuid.UUID]
    _contractor_id: strawberry.Private[uuid.UUID]
    _intermediary_id: strawberry.Private[uuid.UUID | None]
    _region_id: strawberry.Private[uuid.UUID]
    _policy_id: strawberry.Private[uuid.UUID]

    @classmethod
    def from_row(cls, row: Any) -> Project:
        """Build from a row of ``list_projects`` (project columns and progress)."""
        agreement = enums.AgreementType(row["agreement_type"])
        obligation_amount = effective_obligation(
            agreement.value, row["obligation_amount"], row["fixed_amount"]
        )
        obligation = None
        if obligation_amount is not None:
            obligation = Obligation(
                amount=_money(obligation_amount),
                is_estimate=agreement == enums.AgreementType.FRAMEWORK
                and row["fixed_amount"] is None,
                fixed_on=row["fixed_on"],
            )
        return cls(
            id=to_global_id("Project", row["id"]),
            name=row["name"],
            reference=row["reference"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            agreement_type=agreement,
            obligation=obligation,
            progress=Progress(
                actual=_money(row["progress_actual"]),
                forecast=_money(row["progress_forecast"]),
                actual_percentage=row["progress_actual_percentage"],
                forecast_percentage=row["progress_forecast_percentage"],
            ),
            status=enums.ProjectStatus(row["status"]),
            _project_id=row["id"],
            _contracting_authority_id=row["contracting_authority_id"],
            _contractor_id=row["contractor_id"],
            _intermediary_id=row["intermediary_id"],
            _region_id=row["region_id"],
            _policy_id=row["policy_id"],
        )

    @strawberry.field(description="Contracting authority (opdrachtgever).")
    async def contracting_authority(self, info: Info) -> Organisation:
        return Organisation.from_row(
            await info.context.loaders.organisation.load(self._contracting_authority_id)
        )

    @strawberry.field(description="Contractor (opdrachtnemer).")
    async def contractor(self, info: Info) -> Organisation:
        return Organisation.from_row(
            await info.context.loaders.organisation.load(self._contractor_id)
        )

    @strawberry.field(description="SR intermediary (SR intermediair), if linked.")
    async def intermediary(self, info: Info) -> Organisation | None:
        if self._intermediary_id is None:
            return None
        return Organisation.from_row(
            await info.context.loaders.organisation.load(self._intermediary_id)
        )

    @strawberry.field(description="Region (regio).")
    async def region(self, info: Info) -> Region:
        return Region.from_row(await info.context.loaders.region.load(self._region_id))

    @strawberry.field(description="Policy version (methodiek).")
    async def policy(self, info: Info) -> Policy:
        return await load_policy(info, self._policy_id)

    @strawberry.field(description="Costs (kosten), oldest date first.")
    async def costs(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Cost]:
        from srm.context import EntryPageKey

        offset, limit = _page_offset(first, after)
        page = await info.context.loaders.project_costs.load(
            EntryPageKey(self._project_id, offset, limit)
        )
        role = info.context.viewer.role if info.context.viewer else None
        items = [Cost.from_row(row, role) for row in page.rows]
        return build_connection(items, offset=offset, total=page.total)

    @strawberry.field(
        description="Audit trail of the project and its entries (audittrail), newest first."
        + field_roles_text("Project.auditTrail"),
        directives=field_directive("Project.auditTrail"),
    )
    async def audit_trail(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[AuditEvent] | None:
        from srm.resolvers.audit import resolve_project_audit_trail

        return await resolve_project_audit_trail(self._project_id, info, first, after)

    @strawberry.field(description="Candidates (kandidaten), earliest start first.")
    async def candidates(
        self, info: Info, first: int | None = None, after: str | None = None
    ) -> Connection[Candidate]:
        from srm.context import EntryPageKey

        offset, limit = _page_offset(first, after)
        page = await info.context.loaders.project_candidates.load(
            EntryPageKey(self._project_id, offset, limit)
        )
        role = info.context.viewer.role if info.context.viewer else None
        items = [Candidate.from_row(row, role, info.context.today) for row in page.rows]
        return build_connection(items, offset=offset, total=page.total)


@strawberry.type(description="Account of a person (gebruiker).")
class User(Node):
    id: strawberry.ID
    email: str
    full_name: str = strawberry.field(description="Full name (naam).")
    totp_confirmed: bool | None = strawberry.field(
        default=None, description="Authenticator set up (tweestapsverificatie actief)."
    )


@strawberry.type(description="The logged-in user with organisation and role.")
class Viewer:
    user: User
    organisation: Organisation
    role: Role  # type: ignore[valid-type]


__all__ = [
    "DEFAULT_PAGE_SIZE",
    "Candidate",
    "CandidateConnection",
    "Cost",
    "CostConnection",
    "Project",
    "decode_cursor",
]
