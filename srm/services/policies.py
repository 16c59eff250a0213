"""Valuation policies: parse the JSON policy files and store them as policy versions.

A stored policy version is never changed, because projects are valued with the
version they are bound to. A new table gets a new code.
"""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    NonNegativeInt,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.domain.enums import BonusKind, CostValuation
from srm.models import Bonus, BuildingBlock, CostCategory, Policy, Region
from srm.services.reference import REGIONS

logger = logging.getLogger(__name__)

POLICY_DATA = resources.files("srm").joinpath("data", "policies")

# Published tables every installation gets, as national versions without a region.
NATIONAL_POLICY_CODES = ("haaglanden-2023", "utrecht-2024")
# The northern regions run on this published table until their coordination
# point loads the common northern table, whose values are not public.
STAND_IN_POLICY_CODE = "haaglanden-2023"
STAND_IN_POLICY_LABEL = "Haaglanden 2023"
NORTHERN_POLICY_CODE = "noord-nederland-2022"


# --- amounts -------------------------------------------------------------------


def _parse_decimal(value: Any) -> Decimal:
    """Convert a JSON string or integer to Decimal with at most 2 decimals.

    Floats are rejected because a binary fraction can change the amount.
    """
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a number")
    if isinstance(value, float):
        raise ValueError(
            f"{value!r} is a JSON floating-point number; "
            'write amounts as strings such as "5000.00"'
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        amount = value
    elif isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(
                f'{value!r} is not a decimal amount; use a point, e.g. "5000.00"'
            ) from None
    else:
        raise ValueError(f"{value!r} is not a decimal amount")
    if not amount.is_finite():
        raise ValueError(f"{value!r} is not a finite amount")
    exponent = amount.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise ValueError(f"{value!r} has more than 2 decimals")
    return amount


Money = Annotated[Decimal, BeforeValidator(_parse_decimal), Field(gt=0)]
Percentage = Annotated[Decimal, BeforeValidator(_parse_decimal), Field(ge=0, le=100)]
WeeklyHours = Annotated[Decimal, BeforeValidator(_parse_decimal), Field(gt=0, le=60)]
Code = Annotated[
    str, Field(min_length=1, max_length=80, pattern=r"^[a-z0-9][a-z0-9_-]*$")
]
Name = Annotated[str, Field(min_length=1, max_length=300)]


def _upper_case(value: Any) -> Any:
    return value.upper() if isinstance(value, str) else value


def _join_lines(value: Any) -> Any:
    """Join a list of strings with newlines, as the source and notes are stored as text."""
    if isinstance(value, list):
        if not all(isinstance(item, str) for item in value):
            raise ValueError("expected a string or a list of strings")
        return "\n".join(value)
    return value


TextOrLines = Annotated[str | None, BeforeValidator(_join_lines)]


# --- file format ---------------------------------------------------------------------


class _Strict(BaseModel):
    # Unknown keys are rejected so a misspelt key such as "max_month" cannot
    # silently fall back to a default.
    model_config = ConfigDict(extra="forbid", frozen=True)


class BuildingBlockData(_Strict):
    """Building block of a policy file.

    ``max_months`` left out means the policy's ``default_max_months``.
    ``"max_months": null`` means no cap.
    """

    code: Code
    name: Name
    yearly_value: Money
    max_months: PositiveInt | None = None

    def effective_max_months(self, default_max_months: int | None) -> int | None:
        """Return the counting cap in months after applying the policy default."""
        if "max_months" in self.model_fields_set:
            return self.max_months
        return default_max_months


class BonusData(_Strict):
    """Bonus of a policy file, of kind "yearly" or "actual_costs"."""

    code: Code
    name: Name
    kind: Annotated[BonusKind, BeforeValidator(_upper_case)]
    yearly_value: Money | None = None
    min_age: Annotated[int, Field(ge=0, le=120)] | None = None

    @model_validator(mode="after")
    def _check_value_matches_kind(self) -> BonusData:
        if self.kind is BonusKind.YEARLY and self.yearly_value is None:
            raise ValueError(f"bonus {self.code}: kind yearly needs a yearly_value")
        if self.kind is not BonusKind.YEARLY and self.yearly_value is not None:
            raise ValueError(
                f"bonus {self.code}: kind {self.kind.value.lower()} takes no yearly_value"
            )
        return self


_HOURLY_VALUATIONS = frozenset(
    {CostValuation.HOURLY_RATE, CostValuation.INVOICE_OR_HOURLY_RATE}
)


class CostCategoryData(_Strict):
    """Cost category of a policy file, with the valuation as a lower-case CostValuation name."""

    code: Code
    name: Name
    valuation: Annotated[CostValuation, BeforeValidator(_upper_case)]
    hourly_rate: Money | None = None

    @model_validator(mode="after")
    def _check_rate_matches_valuation(self) -> CostCategoryData:
        valuation = self.valuation.value.lower()
        if self.valuation in _HOURLY_VALUATIONS and self.hourly_rate is None:
            raise ValueError(
                f"cost category {self.code}: {valuation} needs an hourly_rate"
            )
        if self.valuation not in _HOURLY_VALUATIONS and self.hourly_rate is not None:
            raise ValueError(
                f"cost category {self.code}: {valuation} takes no hourly_rate"
            )
        return self


class ObligationRuleData(_Strict):
    """Rule that sets the size of the obligation, such as the Friese Eis."""

    name: Name
    percentage_of_contract_value_excl_vat: Percentage
    max_obligation: Money | None = None
    applies_from_contract_value: dict[str, Money] = Field(default_factory=dict)
    offered_percentage_max: Percentage | None = None


class PolicyData(_Strict):
    """Contents of one policy file in ``srm/data/policies``."""

    code: Code
    name: Name
    source: TextOrLines = None
    applies_to: str | None = None
    valid_from: date | None = None
    fulltime_hours_per_week: WeeklyHours | None = None
    default_max_months: PositiveInt | None = None
    # NOTE: parsed but not stored, because the policy table has no column for it.
    may_count_if_started_months_before_project: NonNegativeInt | None = None
    building_blocks: list[BuildingBlockData] | None = None
    bonuses: list[BonusData] = Field(default_factory=list)
    cost_categories: list[CostCategoryData] = Field(default_factory=list)
    obligation_rule_friesland: ObligationRuleData | None = None
    notes: TextOrLines = None

    @field_validator("building_blocks", "bonuses", "cost_categories")
    @classmethod
    def _check_codes_unique(cls, items: list[Any] | None) -> list[Any] | None:
        codes = [item.code for item in items or []]
        repeated = sorted({code for code in codes if codes.count(code) > 1})
        if repeated:
            raise ValueError(f"codes must be unique, repeated: {', '.join(repeated)}")
        return items

    @model_validator(mode="after")
    def _check_table_complete(self) -> PolicyData:
        if not self.building_blocks:
            return self
        if self.fulltime_hours_per_week is None:
            raise ValueError(
                "fulltime_hours_per_week is missing; a policy with building blocks needs it"
            )
        if "default_max_months" not in self.model_fields_set:
            raise ValueError(
                "default_max_months is missing; a policy with building blocks "
                "needs it (a number of months, or null for no cap)"
            )
        return self


def parse_policy_text(text: str, source_name: str) -> PolicyData:
    """Parse the JSON text of a policy file. Errors are ValueErrors naming ``source_name``."""
    try:
        raw = json.loads(text)
        return PolicyData.model_validate(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"{source_name}: invalid JSON: {error}") from error
    except ValidationError as error:
        raise ValueError(f"{source_name}: invalid policy file: {error}") from error


def parse_policy_file(path: Path | str) -> PolicyData:
    """Read and validate a policy JSON file."""
    path = Path(path)
    return parse_policy_text(path.read_text(encoding="utf-8"), path.name)


def _read_bundled_policy(code: str) -> PolicyData:
    name = f"{code}.json"
    return parse_policy_text(
        POLICY_DATA.joinpath(name).read_text(encoding="utf-8"), name
    )


# --- storing -----------------------------------------------------------------------------


async def _region_by_code(session: AsyncSession, region_code: str) -> Region:
    region = (
        await session.exec(select(Region).where(Region.code == region_code.lower()))
    ).first()
    if region is None:
        known = (
            await session.exec(select(Region.code).order_by(col(Region.code)))
        ).all()
        raise ValueError(
            f"region {region_code!r} not found; known regions: {', '.join(known) or 'none'}"
            " (load the reference data first)"
        )
    return region


async def _policy_exists(session: AsyncSession, code: str) -> bool:
    found = await session.exec(select(Policy.id).where(Policy.code == code))
    return found.first() is not None


async def import_policy(
    session: AsyncSession, data: PolicyData, region_code: str | None = None
) -> Policy:
    """Insert a policy version with its building blocks, bonuses and cost categories.

    Items keep the order of the file in ``position``. Without ``region_code``
    the version is national. Raises ValueError when the policy has no
    building blocks, when its code exists already or the region is unknown.
    Does not commit.
    """
    if not data.building_blocks:
        raise ValueError(
            f"policy {data.code} has no building blocks, so it cannot be imported "
            "as a valuation table; add its building_blocks to the file"
        )
    if data.fulltime_hours_per_week is None:
        raise ValueError(f"policy {data.code}: fulltime_hours_per_week is missing")
    if await _policy_exists(session, data.code):
        raise ValueError(
            f"policy {data.code} exists; versions are immutable, use a new code"
        )
    region = await _region_by_code(session, region_code) if region_code else None

    policy = Policy(
        code=data.code,
        name=data.name,
        region_id=region.id if region else None,
        source=data.source,
        applies_to=data.applies_to,
        valid_from=data.valid_from,
        fulltime_hours_per_week=data.fulltime_hours_per_week,
        default_max_months=data.default_max_months,
        notes=data.notes,
    )
    session.add(policy)
    # The tables have no ORM relationships, so the unit of work does not order
    # the inserts by foreign key. The policy row is therefore flushed first.
    await session.flush()
    session.add_all(
        BuildingBlock(
            policy_id=policy.id,
            position=position,
            code=block.code,
            name=block.name,
            yearly_value=block.yearly_value,
            max_months=block.effective_max_months(data.default_max_months),
        )
        for position, block in enumerate(data.building_blocks)
    )
    session.add_all(
        Bonus(
            policy_id=policy.id,
            position=position,
            code=bonus.code,
            name=bonus.name,
            kind=bonus.kind,
            yearly_value=bonus.yearly_value,
            min_age=bonus.min_age,
        )
        for position, bonus in enumerate(data.bonuses)
    )
    session.add_all(
        CostCategory(
            policy_id=policy.id,
            position=position,
            code=category.code,
            name=category.name,
            valuation=category.valuation,
            hourly_rate=category.hourly_rate,
        )
        for position, category in enumerate(data.cost_categories)
    )
    await session.flush()
    logger.info(
        "imported policy %s (region %s) with %d building blocks",
        data.code,
        region_code or "national",
        len(data.building_blocks),
    )
    return policy


def _describe_obligation_rule(rule: ObligationRuleData) -> str:
    """Describe an obligation rule in one English sentence for the policy notes."""
    text = (
        f"{rule.name}: the obligation is {rule.percentage_of_contract_value_excl_vat}% "
        "of the contract value excluding VAT"
    )
    if rule.max_obligation is not None:
        text += f", at most €{rule.max_obligation:,}"
    if rule.applies_from_contract_value:
        thresholds = " and ".join(
            f"{kind} from €{amount:,}"
            for kind, amount in rule.applies_from_contract_value.items()
        )
        text += f"; it applies to contracts for {thresholds}"
    if rule.offered_percentage_max is not None:
        text += f"; a tenderer may offer up to {rule.offered_percentage_max}%"
    return text + "."


def _stand_in_policy(
    region: Region, table: PolicyData, northern: PolicyData
) -> PolicyData:
    """Build a region's stand-in version: the published ``table`` under the region's name."""
    if northern.valid_from is None:
        raise ValueError(f"policy {northern.code}: valid_from is missing")
    valid_from = northern.valid_from
    notes = [
        f"Stand-in: these are the values of the published table {table.code}, "
        f"because the common northern table for projects awarded from "
        f"{valid_from.isoformat()} is not public.",
    ]
    if region.code == "friesland" and northern.obligation_rule_friesland is not None:
        notes.append(_describe_obligation_rule(northern.obligation_rule_friesland))
    notes.extend(text for text in (northern.notes, table.notes) if text)
    sources = [text for text in (table.source, northern.source) if text]
    return table.model_copy(
        update={
            "code": f"{region.code}-{valid_from.year}-{table.code}",
            "name": (
                f"{region.name}: gepubliceerde tabel {STAND_IN_POLICY_LABEL} "
                "(tot het coördinatiepunt de eigen tabel laadt)"
            ),
            "source": "\n".join(sources),
            "applies_to": (
                f"projects in the labour-market region {region.name} awarded from "
                f"{valid_from.isoformat()}, until the coordination point loads its own table"
            ),
            "valid_from": valid_from,
            "notes": "\n".join(notes),
        }
    )


async def load_default_policies(session: AsyncSession) -> list[Policy]:
    """Insert the bundled national tables and a stand-in version for each northern region.

    A region gets a stand-in only when it has no policy of its own. Policies
    that exist are left alone, so running this again inserts nothing. Returns
    the inserted policies. Raises ValueError when the regions of the
    reference data are missing. Does not commit.
    """
    created: list[Policy] = []
    for code in NATIONAL_POLICY_CODES:
        if not await _policy_exists(session, code):
            created.append(await import_policy(session, _read_bundled_policy(code)))

    table = _read_bundled_policy(STAND_IN_POLICY_CODE)
    northern = _read_bundled_policy(NORTHERN_POLICY_CODE)
    for region_code, _name in REGIONS:
        region = await _region_by_code(session, region_code)
        own_policy = await session.exec(
            select(Policy.id).where(Policy.region_id == region.id)
        )
        if own_policy.first() is not None:
            continue
        stand_in = _stand_in_policy(region, table, northern)
        created.append(await import_policy(session, stand_in, region.code))
    return created


# --- entry points for the command line ------------------------------------------------


async def import_policy_file(
    sessionmaker: async_sessionmaker[AsyncSession],
    path: Path | str,
    region_code: str | None = None,
) -> Policy:
    """Parse a policy file and insert it in one committed transaction."""
    data = await asyncio.to_thread(parse_policy_file, path)
    async with sessionmaker() as session, session.begin():
        return await import_policy(session, data, region_code)


async def load_bundled_policies(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> list[Policy]:
    """Run ``load_default_policies`` in one committed transaction."""
    async with sessionmaker() as session, session.begin():
        return await load_default_policies(session)
