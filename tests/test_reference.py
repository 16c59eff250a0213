"""Reference data loaders and residence search, against a real PostgreSQL.

The module creates its own database on the test server (see conftest.py) and
drops it afterwards. Tests that change data use a session that is rolled back.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from openpyxl import Workbook
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.db import create_engine, create_sessionmaker
from srm.models import Municipality, Region, Residence
from srm.services.reference import (
    SOURCE_BAG,
    SOURCE_CBS,
    SOURCE_POLLING_STATIONS,
    ImportResult,
    import_cbs_table,
    import_reference_file,
    load_bundled_reference_data,
    load_reference_data,
    search_residences,
)
from tests.conftest import ServerUrls, migrated_database

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "srm" / "data" / "reference"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def database(
    test_servers: ServerUrls,
) -> AsyncIterator[tuple[async_sessionmaker[AsyncSession], ImportResult]]:
    """Sessionmaker of a fresh database with the bundled data loaded, and the load result."""
    async with migrated_database(test_servers, "srm_test_reference") as url:
        engine = create_engine(url)
        try:
            sessionmaker = create_sessionmaker(engine)
            result = await load_bundled_reference_data(sessionmaker)
            yield sessionmaker, result
        finally:
            await engine.dispose()


@pytest.fixture
def sessionmaker(
    database: tuple[async_sessionmaker[AsyncSession], ImportResult],
) -> async_sessionmaker[AsyncSession]:
    return database[0]


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


async def count(session: AsyncSession, statement: Any) -> int:
    return (await session.exec(statement)).one()


async def residence_count(session: AsyncSession, source: str | None = None) -> int:
    statement = select(func.count()).select_from(Residence)
    if source is not None:
        statement = statement.where(Residence.source == source)
    return await count(session, statement)


async def residences_named(
    session: AsyncSession, name: str, municipality_code: str
) -> list[Residence]:
    statement = (
        select(Residence)
        .join(Municipality, col(Residence.municipality_id) == col(Municipality.id))
        .where(Residence.name == name, Municipality.code == municipality_code)
        # The loaders write with Core statements, which leave loaded objects stale.
        .execution_options(populate_existing=True)
    )
    return list((await session.exec(statement)).all())


async def municipality(session: AsyncSession, code: str) -> Municipality:
    return (
        await session.exec(select(Municipality).where(Municipality.code == code))
    ).one()


async def region_code_of(session: AsyncSession, municipality_code: str) -> str | None:
    statement = (
        select(Region.code)
        .join(Municipality, col(Municipality.region_id) == col(Region.id))
        .where(Municipality.code == municipality_code)
    )
    return (await session.exec(statement)).first()


# --- bundled data --------------------------------------------------------------


async def test_bundled_load_counts(
    database: tuple[async_sessionmaker[AsyncSession], ImportResult],
) -> None:
    sessionmaker, result = database
    async with sessionmaker() as session:
        regions = (await session.exec(select(Region.code, Region.name))).all()
        assert sorted(regions) == [
            ("drenthe", "Drenthe"),
            ("friesland", "Friesland (Fryslân)"),
            ("groningen", "Groningen"),
        ]
        total = await count(session, select(func.count()).select_from(Municipality))
        assert total == 345
        mainland = await count(
            session, select(func.count()).where(col(Municipality.code) < "9000")
        )
        assert mainland == 342
        with_province = await count(
            session, select(func.count()).where(col(Municipality.province).is_not(None))
        )
        assert with_province == 40
        # 843 BAG rows, but Odoorn appears twice in Borger-Odoorn (1798 and 1799).
        assert await residence_count(session, SOURCE_BAG) == 842
        assert await residence_count(session, SOURCE_POLLING_STATIONS) > 1000
        total_residences = await residence_count(session)
    assert result.municipalities_added == 345
    assert result.residences_added == total_residences
    assert len(result.skipped) == 1
    assert "Odoorn" in result.skipped[0]
    assert "1799" in result.skipped[0]


async def test_regions_follow_labour_market_not_province(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        assert await region_code_of(session, "0106") == "groningen"  # Assen, Drenthe
        assert await region_code_of(session, "0114") == "drenthe"  # Emmen
        assert await region_code_of(session, "0080") == "friesland"  # Leeuwarden
        assert await region_code_of(session, "0119") is None  # Meppel, Regio Zwolle
        assert await region_code_of(session, "1701") is None  # Westerveld
        assert await region_code_of(session, "0363") is None  # Amsterdam
        meppel = await municipality(session, "0119")
        assert meppel.province == "Drenthe"
        per_region = dict(
            (
                await session.exec(
                    select(Region.code, func.count())
                    .join(Municipality, col(Municipality.region_id) == col(Region.id))
                    .group_by(Region.code)
                )
            ).all()
        )
        assert per_region == {"groningen": 14, "drenthe": 6, "friesland": 18}


async def test_eemsdelta_residences(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        statement = (
            select(Residence.name)
            .join(Municipality, col(Residence.municipality_id) == col(Municipality.id))
            .where(Municipality.code == "1979", Residence.source == SOURCE_BAG)
        )
        names = set((await session.exec(statement)).all())
        assert len(names) == 32
        assert {"Appingedam", "Delfzijl", "Loppersum"} <= names
        for old_code in ("0003", "0010", "0024"):
            old_municipality = await session.exec(
                select(Municipality).where(Municipality.code == old_code)
            )
            assert old_municipality.first() is None


async def test_polling_places_skip_bag_names(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        # Both lists contain Appingedam in Eemsdelta; only the BAG row is kept.
        appingedam = await residences_named(session, "Appingedam", "1979")
        assert [row.source for row in appingedam] == [SOURCE_BAG]
        assert appingedam[0].bag_code == "3386"
        # Odoornerveen is only in the polling-station list.
        odoornerveen = await residences_named(session, "Odoornerveen", "1681")
        assert [row.source for row in odoornerveen] == [SOURCE_POLLING_STATIONS]
        assert odoornerveen[0].bag_code is None
        empty = await session.exec(select(Residence).where(Residence.name == ""))
        assert empty.first() is None


async def test_reload_is_idempotent(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with rolled_back(sessionmaker) as session:
        before = await residence_count(session)
        result = await load_reference_data(session)
        after = await residence_count(session)
        municipalities = await count(
            session, select(func.count()).select_from(Municipality)
        )
    assert after == before
    assert municipalities == 345
    assert result.municipalities_added == 0
    assert result.municipalities_updated == 0
    assert result.residences_added == 0
    assert result.residences_updated == 0


# --- search ----------------------------------------------------------------------


async def test_search_nes_offers_each_municipality(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        rows = await search_residences(session, "Nes")
    exact = [(residence, place) for residence, place in rows if residence.name == "Nes"]
    municipalities = {place.name for _, place in exact}
    assert {"Ameland", "Heerenveen", "Noardeast-Fryslân"} <= municipalities
    assert len(exact) == len(municipalities)
    # Exact matches come before names that only start with "Nes".
    first_other = next(
        i for i, (residence, _) in enumerate(rows) if residence.name != "Nes"
    )
    assert first_other == len(exact)
    assert all(
        residence.name.lower().startswith("nes") for residence, _ in rows[:first_other]
    )
    exact_order = [place.name for _, place in exact]
    assert exact_order == sorted(exact_order)


async def test_search_prefix_before_contains(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        rows = await search_residences(session, "veen", first=100)
    names = [residence.name.lower() for residence, _ in rows]
    assert names
    starts = [name.startswith("veen") for name in names]
    # Once a name only contains "veen", no name starting with it follows.
    assert starts == sorted(starts, reverse=True)
    assert any(starts)
    assert not all(starts)
    assert all("veen" in name for name in names)


async def test_search_is_case_insensitive(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        upper = await search_residences(session, "NES")
        lower = await search_residences(session, "  nes ")
    assert [r.id for r, _ in upper] == [r.id for r, _ in lower]
    assert upper


async def test_search_escapes_wildcards(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        assert await search_residences(session, "%") == []
        assert await search_residences(session, "N_s") == []
        assert await search_residences(session, "\\") == []
        assert await search_residences(session, "   ") == []
        assert await search_residences(session, "") == []


async def test_search_limits_results(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> None:
    async with sessionmaker() as session:
        assert len(await search_residences(session, "e", first=5)) == 5
        assert await search_residences(session, "Nes", first=0) == []
        with pytest.raises(ValueError, match="first must be between 0 and 100"):
            await search_residences(session, "Nes", first=101)
        with pytest.raises(ValueError, match="first must be between 0 and 100"):
            await search_residences(session, "Nes", first=-1)


# --- CBS tables -------------------------------------------------------------------


def write_text(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding)
    return path


async def test_cbs_woonplaatsen_csv(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    # Semicolons, a byte order mark, StatLine suffixes and padded cells, as
    # in CBS downloads.
    table = write_text(
        tmp_path / "woonplaatsen.csv",
        "\ufeffWoonplaatsen_1;Woonplaatscode_2;Naam_gemeente_3;Code_gemeente_4\n"
        "Appingedam      ;WP3386;Eemsdelta     ;GM1979\n"
        "Ter Apel;WP2296;Nieuwe Gemeente;GM1999\n"
        "Nieuwplaats;9999;Eemsdelta;1979\n"
        "'t Zandt;WP9998;Eemsdelta;GM1979\n"
        "Bolsward;WP2079;Súdwest-Fryslân;GM1900\n"
        "Odoorn;WP1799;Borger-Odoorn;GM1681\n"
        "\n"
        "Bron: CBS;;;\n",
    )
    async with rolled_back(sessionmaker) as session:
        ter_apel = (
            await session.exec(select(Residence).where(Residence.bag_code == "2296"))
        ).one()
        zandt_before = await residences_named(session, "'t Zandt", "1979")
        bolsward_place = await residences_named(session, "Bolsward", "1900")
        total_before = await residence_count(session)

        result = await import_cbs_table(session, table)

        assert result.table == "woonplaatsen"
        assert result.municipalities_added == 1
        assert result.municipalities_updated == 0
        # Added: Nieuwplaats. Updated: Appingedam (source bag -> cbs), Ter Apel
        # (moved), 't Zandt (claimed), Bolsward (renamed onto the
        # polling-station place it replaces).
        assert result.residences_added == 1
        assert result.residences_updated == 4
        assert len(result.skipped) == 1
        assert "Odoorn" in result.skipped[0]
        assert "BAG 1798" in result.skipped[0]

        # A merger: the residence keeps its row and gets the new municipality.
        await session.refresh(ter_apel)
        new_municipality = await municipality(session, "1999")
        assert new_municipality.name == "Nieuwe Gemeente"
        assert new_municipality.region_id is None
        assert ter_apel.municipality_id == new_municipality.id
        assert ter_apel.source == SOURCE_CBS

        # A polling-station place with the same name becomes the BAG residence.
        zandt_after = await residences_named(session, "'t Zandt", "1979")
        assert [row.id for row in zandt_after] == [row.id for row in zandt_before]
        assert zandt_after[0].bag_code == "9998"

        # "Bolsward / Boalsert" is renamed to "Bolsward"; the place row is merged into it.
        assert [row.source for row in bolsward_place] == [SOURCE_POLLING_STATIONS]
        bolsward = await residences_named(session, "Bolsward", "1900")
        assert [row.bag_code for row in bolsward] == ["2079"]
        assert await residences_named(session, "Bolsward / Boalsert", "1900") == []

        nieuwplaats = await residences_named(session, "Nieuwplaats", "1979")
        assert [row.bag_code for row in nieuwplaats] == ["9999"]
        # Nieuwplaats was added and the Bolsward place row was merged away.
        assert await residence_count(session) == total_before

        again = await import_cbs_table(session, table)
        assert again.residences_added == 0
        assert again.residences_updated == 0
        assert again.municipalities_added == 0


async def test_cbs_gebieden_csv(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    table = write_text(
        tmp_path / "gebieden.csv",
        "Gemeentecode,Gemeentenaam,Arbeidsmarktregio,Provincienaam\n"
        "GM1979,Eemsdelta,Groningen,Groningen\n"
        "GM0119,Meppel,Regio Zwolle,Drenthe\n"
        "GM0037,Stadskanaal,Drenthe,Groningen\n"
        'GM1999,"Nieuwe Gemeente, Fryslân",Friesland,Fryslân\n',
    )
    async with rolled_back(sessionmaker) as session:
        residences_before = await residence_count(session)
        result = await import_cbs_table(session, table)

        assert result.table == "gebieden"
        assert result.municipalities_added == 1
        assert result.municipalities_updated == 1
        assert result.residences_added == 0
        assert result.skipped == []
        assert await region_code_of(session, "0037") == "drenthe"
        assert await region_code_of(session, "0119") is None
        assert await region_code_of(session, "1999") == "friesland"
        added = await municipality(session, "1999")
        assert added.name == "Nieuwe Gemeente, Fryslân"
        assert added.province == "Fryslân"
        assert await residence_count(session) == residences_before


def write_bundled_bag_list_as_cbs(path: Path) -> Path:
    """Write the bundled BAG residences in the layout of a CBS woonplaatsen table."""
    bundled = REFERENCE_DIR / "woonplaatsen_noord_2025.csv"
    lines = ["Woonplaatsnaam;Woonplaatscode;Gemeentenaam;Gemeentecode"]
    for line in bundled.read_text(encoding="utf-8").splitlines()[1:]:
        name, bag_code, municipality_code, municipality_name, *_ = line.split(",")
        lines.append(f"{name};WP{bag_code};{municipality_name};{municipality_code}")
    return write_text(path, "\n".join(lines) + "\n")


async def test_cbs_import_of_full_bag_list(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    table = write_bundled_bag_list_as_cbs(tmp_path / "woonplaatsen.csv")

    async with rolled_back(sessionmaker) as session:
        total_before = await residence_count(session)
        result = await import_cbs_table(session, table)
        assert result.residences_added == 0
        assert result.residences_updated == 842
        assert result.municipalities_updated == 0
        assert len(result.skipped) == 1
        assert await residence_count(session) == total_before
        assert await residence_count(session, SOURCE_BAG) == 0


async def test_reload_keeps_cbs_updates(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    woonplaatsen = write_text(
        tmp_path / "woonplaatsen.csv",
        "Woonplaatsen;Woonplaatscode;Naam_gemeente;Code_gemeente\n"
        "Ter Apel;WP2296;Nieuwe Gemeente;GM1999\n"
        "Bolsward;WP2079;Súdwest-Fryslân;GM1900\n",
    )
    gebieden = write_text(
        tmp_path / "gebieden.csv",
        "Gemeentecode;Gemeentenaam;Arbeidsmarktregio\nGM0037;Stadskanaal;Drenthe\n",
    )
    async with rolled_back(sessionmaker) as session:
        await import_cbs_table(session, woonplaatsen)
        await import_cbs_table(session, gebieden)
        total_before = await residence_count(session)

        result = await load_reference_data(session)

        assert result.municipalities_updated == 0
        assert result.residences_added == 0
        assert result.residences_updated == 0
        assert await residence_count(session) == total_before
        assert await region_code_of(session, "0037") == "drenthe"
        ter_apel = await residences_named(session, "Ter Apel", "1999")
        assert [row.bag_code for row in ter_apel] == ["2296"]
        assert await residences_named(session, "Ter Apel", "1950") == []
        bolsward = await residences_named(session, "Bolsward", "1900")
        assert [row.source for row in bolsward] == [SOURCE_CBS]
        assert await residences_named(session, "Bolsward / Boalsert", "1900") == []


async def test_cbs_woonplaatsen_with_region_column(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    table = write_text(
        tmp_path / "woonplaatsen.csv",
        "Woonplaatsen;Woonplaatscode;Naam_gemeente;Code_gemeente;Arbeidsmarktregio\n"
        "Stadskanaal;WP3074;Stadskanaal;GM0037;Groningen\n"
        "Emmen;WP1988;Emmen;GM0114;Drenthe\n",
    )
    async with rolled_back(sessionmaker) as session:
        result = await import_cbs_table(session, table)
        assert result.table == "woonplaatsen"
        assert result.municipalities_updated == 0
        assert await region_code_of(session, "0037") == "groningen"
        assert await region_code_of(session, "0114") == "drenthe"


async def test_cbs_gebieden_without_region_keeps_region(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    table = write_text(
        tmp_path / "gebieden.csv", "Code_gemeente;Naam_gemeente\n0037;Stadskanaal\n"
    )
    async with rolled_back(sessionmaker) as session:
        result = await import_cbs_table(session, table)
        assert result.municipalities_updated == 0
        assert await region_code_of(session, "0037") == "groningen"


async def test_cbs_gebieden_xlsx_with_title_rows(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Gebieden in Nederland 2026"])
    sheet.append([])
    sheet.append(["GemeentecodeGM", "Gemeentenaam", "Arbeidsmarktregio's naam"])
    sheet.append(["GM0037", "Stadskanaal", "Drenthe"])
    sheet.append([1999, "Nieuwe Gemeente", "Groningen"])
    path = tmp_path / "gebieden.xlsx"
    workbook.save(path)

    async with rolled_back(sessionmaker) as session:
        result = await import_cbs_table(session, path)
        assert result.table == "gebieden"
        assert result.municipalities_added == 1
        assert result.municipalities_updated == 1
        assert await region_code_of(session, "0037") == "drenthe"
        assert await region_code_of(session, "1999") == "groningen"


async def test_cbs_unrecognised_file(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    unknown = write_text(tmp_path / "unknown.csv", "foo;bar;Gemeentenaam\n1;2;3\n")
    no_code = write_text(
        tmp_path / "no_code.csv", "Woonplaatsen,Code_gemeente,Naam_gemeente\nA,1,B\n"
    )
    other_type = write_text(tmp_path / "table.json", "[]")
    async with rolled_back(sessionmaker) as session:
        with pytest.raises(
            ValueError, match="missing column municipality code"
        ) as error:
            await import_cbs_table(session, unknown)
        assert "'foo', 'bar', 'Gemeentenaam'" in str(error.value)
        assert "unknown.csv" in str(error.value)
        with pytest.raises(ValueError, match="missing column woonplaats code"):
            await import_cbs_table(session, no_code)
        with pytest.raises(ValueError, match=r"unsupported file type '\.json'"):
            await import_cbs_table(session, other_type)


async def test_cbs_invalid_code_names_row(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    table = write_text(
        tmp_path / "gebieden.csv",
        "Gemeentecode;Gemeentenaam\nGM0037;Stadskanaal\nGM12345;Te lang\n",
    )
    async with rolled_back(sessionmaker) as session:
        with pytest.raises(
            ValueError, match=r"gebieden.csv row 3: invalid municipality code 'GM12345'"
        ):
            await import_cbs_table(session, table)


async def test_cbs_windows_1252_csv(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    table = write_text(
        tmp_path / "gebieden.csv",
        "Gemeentecode;Gemeentenaam\nGM1900;Súdwest-Fryslân\n",
        encoding="cp1252",
    )
    async with rolled_back(sessionmaker) as session:
        result = await import_cbs_table(session, table)
        assert result.municipalities_updated == 0


async def test_import_reference_file_commits(
    sessionmaker: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    renamed = write_text(
        tmp_path / "renamed.csv", "Gemeentecode;Gemeentenaam\nGM9001;Bonaire (test)\n"
    )
    original = write_text(
        tmp_path / "original.csv", "Gemeentecode;Gemeentenaam\nGM9001;Bonaire\n"
    )

    result = await import_reference_file(sessionmaker, renamed)
    assert result.municipalities_updated == 1
    async with sessionmaker() as session:
        assert (await municipality(session, "9001")).name == "Bonaire (test)"

    await import_reference_file(sessionmaker, original)
    async with sessionmaker() as session:
        assert (await municipality(session, "9001")).name == "Bonaire"
