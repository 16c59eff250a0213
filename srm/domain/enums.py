"""Enumerations of the domain, shared by the tables and the GraphQL schema."""

from __future__ import annotations

from enum import StrEnum


class OrganisationKind(StrEnum):
    CONTRACTING_AUTHORITY = "CONTRACTING_AUTHORITY"  # opdrachtgever
    CONTRACTOR = "CONTRACTOR"  # opdrachtnemer
    INTERMEDIARY = "INTERMEDIARY"  # SR intermediair
    EMPLOYER_SERVICE_POINT = "EMPLOYER_SERVICE_POINT"  # werkgeversservicepunt (WSP)
    COORDINATION_POINT = "COORDINATION_POINT"  # coördinatiepunt Social Return


class Role(StrEnum):
    CONTRACTING_AUTHORITY = "CONTRACTING_AUTHORITY"
    CONTRACTOR = "CONTRACTOR"
    INTERMEDIARY = "INTERMEDIARY"
    ACCOUNT_MANAGER = "ACCOUNT_MANAGER"
    COORDINATOR = "COORDINATOR"


ROLE_OF_KIND: dict[OrganisationKind, Role] = {
    OrganisationKind.CONTRACTING_AUTHORITY: Role.CONTRACTING_AUTHORITY,
    OrganisationKind.CONTRACTOR: Role.CONTRACTOR,
    OrganisationKind.INTERMEDIARY: Role.INTERMEDIARY,
    OrganisationKind.EMPLOYER_SERVICE_POINT: Role.ACCOUNT_MANAGER,
    OrganisationKind.COORDINATION_POINT: Role.COORDINATOR,
}

# Organisations that work for one labour-market region and see its projects.
REGIONAL_KINDS = frozenset(
    {OrganisationKind.EMPLOYER_SERVICE_POINT, OrganisationKind.COORDINATION_POINT}
)


class AgreementType(StrEnum):
    OBLIGATION = "OBLIGATION"  # SR verplichting
    FRAMEWORK = "FRAMEWORK"  # raamovereenkomst
    BEST_EFFORT = "BEST_EFFORT"  # inspanningsverplichting


class ProjectStatus(StrEnum):
    ACTIVE = "ACTIVE"
    AWAITING_APPROVAL = "AWAITING_APPROVAL"
    APPROVED = "APPROVED"
    REJECTED = "REJECTED"
    COMPLETED = "COMPLETED"


class EducationLevel(StrEnum):
    NONE = "NONE"  # geen afgeronde opleiding
    PRIMARY = "PRIMARY"  # basisonderwijs
    PRACTICAL = "PRACTICAL"  # praktijkonderwijs (PrO)
    SPECIAL_SECONDARY = "SPECIAL_SECONDARY"  # voortgezet speciaal onderwijs (vso)
    VMBO = "VMBO"
    HAVO_VWO = "HAVO_VWO"
    MBO_1 = "MBO_1"  # entree
    MBO_2 = "MBO_2"
    MBO_3 = "MBO_3"
    MBO_4 = "MBO_4"
    HBO = "HBO"
    WO = "WO"


class TargetGroup(StrEnum):
    PARTICIPATION_ACT = "PARTICIPATION_ACT"  # Participatiewet
    JOB_AGREEMENT = "JOB_AGREEMENT"  # banenafspraak / doelgroepregister
    UNEMPLOYMENT_BENEFIT = "UNEMPLOYMENT_BENEFIT"  # WW
    DISABILITY_BENEFIT = "DISABILITY_BENEFIT"  # WIA, WAO, Wajong
    NO_BENEFIT = "NO_BENEFIT"  # niet-uitkeringsgerechtigd
    YOUTH_WITHOUT_QUALIFICATION = (
        "YOUTH_WITHOUT_QUALIFICATION"  # jongere zonder startkwalificatie
    )
    STUDENT = "STUDENT"  # leerling of stagiair (BBL, BOL, vso, PrO)
    STATUS_HOLDER = "STATUS_HOLDER"  # statushouder
    OTHER = "OTHER"


class ContractType(StrEnum):
    PERMANENT = "PERMANENT"  # vast dienstverband
    TEMPORARY = "TEMPORARY"  # tijdelijk dienstverband
    APPRENTICESHIP = "APPRENTICESHIP"  # leerwerkovereenkomst (BBL)
    INTERNSHIP = "INTERNSHIP"  # stage
    SECONDMENT = "SECONDMENT"  # detachering of inlening
    TRIAL_PLACEMENT = "TRIAL_PLACEMENT"  # proefplaatsing


class BonusKind(StrEnum):
    YEARLY = "YEARLY"  # adds a yearly amount to the block's value
    ACTUAL_COSTS = "ACTUAL_COSTS"  # the real costs count, entered as a cost


class CostValuation(StrEnum):
    INVOICE_EXCL_VAT = "INVOICE_EXCL_VAT"  # factuurbedrag exclusief btw
    HOURLY_RATE = "HOURLY_RATE"  # uren maal vast uurtarief
    INVOICE_OR_HOURLY_RATE = "INVOICE_OR_HOURLY_RATE"
    AGREED_WITH_ADVISER = "AGREED_WITH_ADVISER"  # in overleg met de adviseur
