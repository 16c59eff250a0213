"""Policy file parsing and policy import, against a real PostgreSQL.

The module creates its own database on the test server (see conftest.py)
with the reference data loaded, and drops it afterwards. Tests that change data use a session that is rolled back.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.db import create_engine, create_sessionmaker
from srm.domain.enums import BonusKind, CostValuation
from srm.models import Bonus, BuildingBlock, CostCategory, Policy, Region
from srm.services.policies import (
    PolicyData,
    import_policy,
    import_policy_file,
    load_default_policies,
    parse_policy_file,
    parse_policy_text,
)
from srm.services.reference import load_bundled_reference_data
from tests.conftest import ServerUrls, migrated_database

POLICY_DIR = Path(__file__).resolve().parent.parent / "srm" / "data" / "policies"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def sessionmaker(
    test_servers: ServerUrls,
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessionmaker of a fresh database with the bundled reference data."""
    async with migrated_database(test_servers, "srm_test_policies") as url:
        engine = create_engine(url)
        try:
            maker = create_sessionmaker(engine)
            await load_bundled_reference_data(maker)
            yield maker
        finally:
            await engine.dispose()


@asynccontextmanager
async def rolled_back(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """Session whose changes are rolled back at the end."""
    async with sessionmaker() as session:
        try:
            yield session
        finally:
            await session.rollback()


def load_json(name: str) -> dict[str, Any]:
    return json.loads((POLICY_DIR / name).read_text(encoding="utf-8"))


def parse(raw: dict[str, Any]) -> PolicyData:
    return parse_policy_text(json.dumps(raw), "test.json")


def haaglanden_with(**changes: Any) -> dict[str, Any]:
    raw = copy.deepcopy(load_json("haaglanden-2023.json"))
    raw.update(changes)
    return raw


async def blocks_of(session: AsyncSession, policy: Policy) -> list[BuildingBlock]:
    statement = (
        select(BuildingBlock)
        .where(BuildingBlock.policy_id == policy.id)
        .order_by(col(BuildingBlock.position))
    )
    return list((await session.exec(statement)).all())


async def policy_by_code(session: AsyncSession, code: str) -> Policy | None:
    return (await session.exec(select(Policy).where(Policy.code == code))).first()


# --- parsing -------------------------------------------------------------------


def test_parse_haaglanden_caps() -> None:
    data = parse_policy_file(POLICY_DIR / "haaglanden-2023.json")
    assert data.code == "haaglanden-2023"
    assert data.valid_from == date(2023, 7, 1)
    assert data.fulltime_hours_per_week == Decimal(36)
    assert data.default_max_months == 12
    assert data.building_blocks is not None
    blocks = {block.code: block for block in data.building_blocks}
    assert len(blocks) == 10

    # Explicit null: no cap, which differs from leaving the key out.
    banenafspraak = blocks["banenafspraak"]
    assert "max_months" in banenafspraak.model_fields_set
    assert banenafspraak.max_months is None
    assert banenafspraak.effective_max_months(12) is None

    werkzoekend = blocks["werkzoekend_zonder_uitkering"]
    assert "max_months" not in werkzoekend.model_fields_set
    assert werkzoekend.effective_max_months(12) == 12

    assert blocks["wia"].effective_max_months(12) == 24
    assert blocks["bbl_niveau_3_plus"].effective_max_months(12) == 36
    assert banenafspraak.yearly_value == Decimal("50000.00")


def test_parse_haaglanden_bonuses_and_notes() -> None:
    data = parse_policy_file(POLICY_DIR / "haaglanden-2023.json")
    kinds = [(bonus.code, bonus.kind) for bonus in data.bonuses]
    assert kinds[0] == ("leeftijd_55_plus", BonusKind.YEARLY)
    assert kinds[-1] == ("opleidings_en_begeleidingskosten", BonusKind.ACTUAL_COSTS)
    assert data.bonuses[0].min_age == 55
    assert data.bonuses[-1].yearly_value is None
    assert data.notes is not None
    assert len(data.notes.splitlines()) == 3
    assert data.source == (
        "https://www.denhaag.nl/nl/ondernemen/zaken-doen-met-de-gemeente/"
        "social-return-bouwblokken/"
    )


def test_parse_utrecht_cost_categories() -> None:
    data = parse_policy_file(POLICY_DIR / "utrecht-2024.json")
    assert data.valid_from is None
    assert data.default_max_months is None
    assert "default_max_months" in data.model_fields_set
    valuations = [category.valuation for category in data.cost_categories]
    assert valuations == [
        CostValuation.INVOICE_EXCL_VAT,
        CostValuation.HOURLY_RATE,
        CostValuation.INVOICE_OR_HOURLY_RATE,
        CostValuation.AGREED_WITH_ADVISER,
        CostValuation.AGREED_WITH_ADVISER,
    ]
    assert data.cost_categories[1].hourly_rate == Decimal("100.00")
    assert data.bonuses[0].min_age == 51


def test_parse_northern_policy_without_table() -> None:
    data = parse_policy_file(POLICY_DIR / "noord-nederland-2022.json")
    assert data.building_blocks is None
    assert data.valid_from == date(2022, 1, 1)
    assert data.source is not None
    assert len(data.source.splitlines()) == 3
    rule = data.obligation_rule_friesland
    assert rule is not None
    assert rule.name == "Friese Eis"
    assert rule.max_obligation == Decimal("300000.00")
    assert rule.applies_from_contract_value["works"] == Decimal("250000.00")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (5000.5, "JSON floating-point number"),
        (5000.0, "JSON floating-point number"),
        ("5000.001", "more than 2 decimals"),
        ("5.000,00", "not a decimal amount"),
        ("NaN", "not a finite amount"),
        ("-10.00", "greater than 0"),
        ("0", "greater than 0"),
        (True, "not a number"),
    ],
)
def test_parse_rejects_invalid_amount(value: Any, message: str) -> None:
    raw = haaglanden_with()
    raw["building_blocks"][0]["yearly_value"] = value
    with pytest.raises(ValueError, match=message) as error:
        parse(raw)
    assert "building_blocks.0.yearly_value" in str(error.value)


def test_parse_accepts_integer_amount() -> None:
    raw = haaglanden_with()
    raw["building_blocks"][0]["yearly_value"] = 5000
    data = parse(raw)
    assert data.building_blocks is not None
    assert data.building_blocks[0].yearly_value == Decimal(5000)


def test_parse_rejects_unknown_key() -> None:
    raw = haaglanden_with()
    raw["building_blocks"][0]["max_month"] = 6
    with pytest.raises(ValueError, match="Extra inputs are not permitted") as error:
        parse(raw)
    assert "max_month" in str(error.value)


def test_parse_rejects_inconsistent_items() -> None:
    yearly_without_value = haaglanden_with()
    del yearly_without_value["bonuses"][0]["yearly_value"]
    with pytest.raises(ValueError, match="kind yearly needs a yearly_value"):
        parse(yearly_without_value)

    unknown_kind = haaglanden_with()
    unknown_kind["bonuses"][0]["kind"] = "monthly"
    with pytest.raises(ValueError, match=r"bonuses\.0\.kind"):
        parse(unknown_kind)

    repeated = haaglanden_with()
    repeated["building_blocks"][1]["code"] = repeated["building_blocks"][0]["code"]
    with pytest.raises(ValueError, match="repeated: werkzoekend_zonder_uitkering"):
        parse(repeated)

    hourly_without_rate = load_json("utrecht-2024.json")
    del hourly_without_rate["cost_categories"][1]["hourly_rate"]
    with pytest.raises(ValueError, match="hourly_rate needs an hourly_rate"):
        parse(hourly_without_rate)

    no_default = haaglanden_with()
    del no_default["default_max_months"]
    with pytest.raises(ValueError, match="default_max_months is missing"):
        parse(no_default)


def test_parse_rejects_invalid_json(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{", encoding="utf-8")
    with pytest.raises(ValueError, match=r"broken\.json: invalid JSON"):
        parse_policy_file(path)


# --- import ----------------------------------------------------------------------


async def test_import_haaglanden(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    data = parse_policy_file(POLICY_DIR / "haaglanden-2023.json")
    async with rolled_back(sessionmaker) as session:
        policy = await import_policy(session, data)
        assert policy.region_id is None
        assert policy.default_max_months == 12
        blocks = await blocks_of(session, policy)
        assert [block.position for block in blocks] == list(range(10))
        assert [block.code for block in blocks] == [
            b.code for b in data.building_blocks or []
        ]
        caps = {block.code: block.max_months for block in blocks}
        assert caps["werkzoekend_zonder_uitkering"] == 12
        assert caps["banenafspraak"] is None
        assert caps["wia"] == 24
        assert caps["bbl_niveau_3_plus"] == 36
        bonuses = (
            await session.exec(
                select(Bonus)
                .where(Bonus.policy_id == policy.id)
                .order_by(col(Bonus.position))
            )
        ).all()
        assert [bonus.kind for bonus in bonuses] == [
            BonusKind.YEARLY,
            BonusKind.YEARLY,
            BonusKind.YEARLY,
            BonusKind.ACTUAL_COSTS,
        ]


async def test_import_utrecht_for_region(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    data = parse_policy_file(POLICY_DIR / "utrecht-2024.json")
    async with rolled_back(sessionmaker) as session:
        policy = await import_policy(session, data, region_code="Drenthe")
        region = (
            await session.exec(select(Region).where(Region.code == "drenthe"))
        ).one()
        assert policy.region_id == region.id
        blocks = await blocks_of(session, policy)
        assert all(block.max_months is None for block in blocks)
        categories = (
            await session.exec(
                select(CostCategory)
                .where(CostCategory.policy_id == policy.id)
                .order_by(col(CostCategory.position))
            )
        ).all()
        assert [category.code for category in categories] == [
            category.code for category in data.cost_categories
        ]
        assert categories[1].hourly_rate == Decimal("100.00")


async def test_import_unknown_region_rejected(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    data = parse_policy_file(POLICY_DIR / "utrecht-2024.json")
    async with rolled_back(sessionmaker) as session:
        with pytest.raises(ValueError, match="region 'utrecht' not found") as error:
            await import_policy(session, data, region_code="utrecht")
        assert "drenthe, friesland, groningen" in str(error.value)


async def test_import_twice_rejected(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    data = parse_policy_file(POLICY_DIR / "haaglanden-2023.json")
    async with rolled_back(sessionmaker) as session:
        await import_policy(session, data)
        with pytest.raises(
            ValueError,
            match="policy haaglanden-2023 exists; versions are immutable, use a new code",
        ):
            await import_policy(session, data, region_code="groningen")


async def test_import_northern_policy_rejected(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    data = parse_policy_file(POLICY_DIR / "noord-nederland-2022.json")
    async with rolled_back(sessionmaker) as session:
        with pytest.raises(
            ValueError, match="noord-nederland-2022 has no building blocks"
        ):
            await import_policy(session, data)
        assert await policy_by_code(session, "noord-nederland-2022") is None


async def test_import_policy_file_commits(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    code = f"test-{uuid.uuid4().hex[:8]}"
    path = tmp_path / f"{code}.json"
    path.write_text(json.dumps(haaglanden_with(code=code)), encoding="utf-8")

    policy = await import_policy_file(sessionmaker, path)
    async with sessionmaker() as session:
        stored = await policy_by_code(session, code)
        assert stored is not None
        assert stored.id == policy.id
        assert len(await blocks_of(session, stored)) == 10


# --- default policies ----------------------------------------------------------------


async def test_default_policies(sessionmaker: async_sessionmaker[AsyncSession]) -> None:
    async with rolled_back(sessionmaker) as session:
        created = await load_default_policies(session)
        codes = {policy.code for policy in created}
        assert codes == {
            "haaglanden-2023",
            "utrecht-2024",
            "drenthe-2022-haaglanden-2023",
            "friesland-2022-haaglanden-2023",
            "groningen-2022-haaglanden-2023",
        }
        national = [policy for policy in created if policy.region_id is None]
        assert {policy.code for policy in national} == {
            "haaglanden-2023",
            "utrecht-2024",
        }

        groningen = await policy_by_code(session, "groningen-2022-haaglanden-2023")
        assert groningen is not None
        assert groningen.name == (
            "Groningen: gepubliceerde tabel Haaglanden 2023 "
            "(tot het coördinatiepunt de eigen tabel laadt)"
        )
        assert groningen.valid_from == date(2022, 1, 1)
        assert groningen.default_max_months == 12
        assert groningen.source is not None
        assert "denhaag.nl" in groningen.source
        assert "socialreturninderegio.nl" in groningen.source
        assert groningen.notes is not None
        assert "Friese Eis" not in groningen.notes
        caps = {
            block.code: block.max_months
            for block in await blocks_of(session, groningen)
        }
        assert len(caps) == 10
        assert caps["banenafspraak"] is None
        assert caps["werkzoekend_zonder_uitkering"] == 12

        friesland = await policy_by_code(session, "friesland-2022-haaglanden-2023")
        assert friesland is not None
        assert friesland.name.startswith("Friesland (Fryslân): gepubliceerde tabel")
        assert friesland.notes is not None
        assert "Friese Eis" in friesland.notes
        assert "€300,000.00" in friesland.notes

        again = await load_default_policies(session)
        assert again == []
        # test_import_policy_file_commits commits policies whose code starts with "test-".
        statement = select(func.count()).where(col(Policy.code).not_like("test-%"))
        assert (await session.exec(statement)).one() == 5


async def test_default_policies_respect_own_table(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    own = parse(haaglanden_with(code="drenthe-eigen-2025"))
    async with rolled_back(sessionmaker) as session:
        await import_policy(session, own, region_code="drenthe")
        created = await load_default_policies(session)
        codes = {policy.code for policy in created}
        assert "drenthe-2022-haaglanden-2023" not in codes
        assert "groningen-2022-haaglanden-2023" in codes
        assert len(codes) == 4


async def test_default_policies_need_regions(test_servers: ServerUrls) -> None:
    async with migrated_database(test_servers, "srm_test_policies_empty") as url:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                with pytest.raises(ValueError, match="load the reference data first"):
                    await load_default_policies(session)
        finally:
            await engine.dispose()
