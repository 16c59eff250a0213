"""Reference data: regions, municipalities and residences.

The bundled files in ``srm/data/reference`` seed the tables, and newer CBS
tables ("Woonplaatsen in Nederland", "Gebieden in Nederland") update them
later. Running a loader again with the same data changes nothing. The loaders
that take a session do not commit, but ``load_bundled_reference_data`` and
``import_reference_file`` each run one committed transaction. The loaders
write with Core statements, so ORM objects loaded earlier in the same session
keep their old values until refreshed.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import logging
import re
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from openpyxl import load_workbook
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from srm.db import escape_like
from srm.models import Candidate, Municipality, Region, Residence

logger = logging.getLogger(__name__)

REFERENCE_DATA = resources.files("srm").joinpath("data", "reference")

SOURCE_BAG = "bag"
SOURCE_CBS = "cbs"
SOURCE_POLLING_STATIONS = "polling_stations"

# Labour-market regions served by the monitor: code, display name.
REGIONS: tuple[tuple[str, str], ...] = (
    ("drenthe", "Drenthe"),
    ("friesland", "Friesland (Fryslân)"),
    ("groningen", "Groningen"),
)

MAX_SEARCH_RESULTS = 100

# Rows per INSERT statement, because the PostgreSQL wire protocol allows at
# most 32,767 bind parameters in one statement.
_CHUNK_ROWS = 1000

_MUNICIPALITY = Municipality.__table__  # type: ignore[attr-defined]
_RESIDENCE = Residence.__table__  # type: ignore[attr-defined]
_REGION = Region.__table__  # type: ignore[attr-defined]
_CANDIDATE = Candidate.__table__  # type: ignore[attr-defined]


@dataclass
class ImportResult:
    """Counts of one reference import. Rows that did not change are not counted."""

    table: str  # "bundled", "woonplaatsen" or "gebieden"
    municipalities_added: int = 0
    municipalities_updated: int = 0
    residences_added: int = 0
    residences_updated: int = 0
    skipped: list[str] = field(
        default_factory=list
    )  # why each skipped row was not loaded


@dataclass(frozen=True)
class _MunicipalityRow:
    code: str
    name: str
    province: str | None = None
    region_id: uuid.UUID | None = None


@dataclass(frozen=True)
class _ResidenceRow:
    bag_code: str
    name: str
    municipality_code: str


# --- bundled files ----------------------------------------------------------


def _read_bundled_csv(name: str) -> list[dict[str, str]]:
    text = REFERENCE_DATA.joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _read_bundled_municipalities() -> list[tuple[str, str]]:
    text = REFERENCE_DATA.joinpath("gemeenten_2025.json").read_text(encoding="utf-8")
    return [(code, name) for code, name in json.loads(text)]


async def load_reference_data(session: AsyncSession) -> ImportResult:
    """Load the bundled regions, municipalities and residences.

    This runs at every start, so it must not undo a later CBS import. It
    inserts missing municipalities but leaves existing ones unchanged, and it
    upserts only BAG residences that no CBS import has touched. Places from
    the polling-station list are added on the first load only, so a place
    that a CBS import moved or merged does not come back. They are added
    only where no residence of that name exists in the municipality.
    """
    result = ImportResult(table="bundled")
    await _upsert_regions(session)
    regions = await _region_ids_by_label(session)

    municipalities: dict[str, _MunicipalityRow] = {
        code: _MunicipalityRow(code=code, name=name)
        for code, name in _read_bundled_municipalities()
    }
    for row in _read_bundled_csv("gemeente_arbeidsmarktregio_noord_2025.csv"):
        code = _municipality_code(
            row["gemeentecode"], "gemeente_arbeidsmarktregio_noord_2025.csv"
        )
        # Regions not served here (Meppel and Westerveld belong to Regio
        # Zwolle) match no row of REGIONS and get no region.
        municipalities[code] = _MunicipalityRow(
            code=code,
            name=row["gemeentenaam"],
            province=row["provincie"],
            region_id=regions.get(row["arbeidsmarktregio"].casefold()),
        )
    added, updated = await _upsert_municipalities(
        session, municipalities.values(), columns=()
    )
    result.municipalities_added, result.municipalities_updated = added, updated

    residences = [
        _ResidenceRow(
            bag_code=row["woonplaatscode_bag"],
            name=row["woonplaats"],
            municipality_code=_municipality_code(
                row["gemeentecode"], "woonplaatsen_noord_2025.csv"
            ),
        )
        for row in _read_bundled_csv("woonplaatsen_noord_2025.csv")
    ]
    await _apply_residences(
        session, residences, SOURCE_BAG, result, keep_sources=frozenset({SOURCE_CBS})
    )

    places_loaded = await session.exec(
        select(Residence.id).where(Residence.source == SOURCE_POLLING_STATIONS).limit(1)
    )
    if places_loaded.first() is None:
        places = [
            (
                row["plaats"].strip(),
                _municipality_code(
                    row["gemeentecode"], "plaats_gemeente_stemlokalen_tk2025.csv"
                ),
            )
            for row in _read_bundled_csv("plaats_gemeente_stemlokalen_tk2025.csv")
        ]
        result.residences_added += await _insert_places(session, places, result)

    _log_result("bundled reference data", result)
    return result


async def _upsert_regions(session: AsyncSession) -> None:
    statement = insert(_REGION).values([{"code": c, "name": n} for c, n in REGIONS])
    statement = statement.on_conflict_do_update(
        index_elements=[_REGION.c.code],
        set_={"name": statement.excluded.name},
        where=_REGION.c.name.is_distinct_from(statement.excluded.name),
    )
    await session.exec(statement)


async def _region_ids_by_label(session: AsyncSession) -> dict[str, uuid.UUID]:
    """Map each region's code and name, casefolded, to its id.

    The name is also entered without a bracketed part, so the CBS spelling
    "Friesland" finds "Friesland (Fryslân)".
    """
    labels: dict[str, uuid.UUID] = {}
    for region in (await session.exec(select(Region))).all():
        labels[region.code.casefold()] = region.id
        labels[region.name.casefold()] = region.id
        labels[re.sub(r"\s*\(.*\)\s*$", "", region.name).casefold()] = region.id
    return labels


# --- upserts ------------------------------------------------------------------


def _chunks(rows: Sequence[Any], size: int = _CHUNK_ROWS) -> Iterable[Sequence[Any]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def _count_returned(rows: Sequence[sa.Row[Any]]) -> tuple[int, int]:
    """Split rows returned by an upsert into (inserted, updated) counts."""
    inserted = sum(1 for row in rows if row.inserted)
    return inserted, len(rows) - inserted


# PostgreSQL sets the system column xmax to 0 on a freshly inserted row version,
# so in RETURNING it distinguishes an insert from an ON CONFLICT update.
_INSERTED: sa.Label[bool] = sa.literal_column("xmax = 0", sa.Boolean).label("inserted")


async def _upsert_municipalities(
    session: AsyncSession, rows: Iterable[_MunicipalityRow], columns: Sequence[str]
) -> tuple[int, int]:
    """Insert missing municipalities and set ``columns`` on existing ones.

    With no ``columns``, existing municipalities are left unchanged.
    """
    values = [
        {
            "code": row.code,
            "name": row.name,
            "province": row.province,
            "region_id": row.region_id,
        }
        for row in rows
    ]
    added = updated = 0
    for chunk in _chunks(values):
        statement = insert(_MUNICIPALITY).values(list(chunk))
        excluded = statement.excluded
        if columns:
            changed = sa.or_(
                *(
                    _MUNICIPALITY.c[name].is_distinct_from(excluded[name])
                    for name in columns
                )
            )
            upsert = statement.on_conflict_do_update(
                index_elements=[_MUNICIPALITY.c.code],
                set_={name: excluded[name] for name in columns},
                where=changed,
            ).returning(_INSERTED)
        else:
            upsert = statement.on_conflict_do_nothing(
                index_elements=[_MUNICIPALITY.c.code]
            ).returning(_INSERTED)
        inserted, changed_count = _count_returned((await session.exec(upsert)).all())
        added += inserted
        updated += changed_count
    return added, updated


async def _municipality_ids(session: AsyncSession) -> dict[str, uuid.UUID]:
    rows = await session.exec(select(Municipality.code, Municipality.id))
    return dict(rows.all())


@dataclass
class _KnownResidence:
    """Residence row as planned by ``_plan_residences``. New rows get their id here."""

    id: uuid.UUID
    name: str
    bag_code: str | None
    municipality_id: uuid.UUID
    source: str


@dataclass
class _ResidencePlan:
    """Changes that bring the residence table in line with a list of BAG residences."""

    upserts: list[dict[str, Any]] = field(default_factory=list)
    # Place rows without a BAG code that take the BAG code of a new residence.
    claims: list[dict[str, Any]] = field(default_factory=list)
    # Place row id -> id of the BAG residence that replaces it.
    absorbed: dict[uuid.UUID, uuid.UUID] = field(default_factory=dict)


def _plan_residences(
    rows: Sequence[_ResidenceRow],
    known: list[_KnownResidence],
    municipality_ids: dict[str, uuid.UUID],
    source: str,
    keep_sources: frozenset[str],
    result: ImportResult,
) -> _ResidencePlan:
    """Plan the upsert so that no statement breaks the unique (name, municipality) pair.

    Rows are applied in order against ``known``, which is updated as it goes.
    Existing residences whose source is in ``keep_sources`` are left as they are.
    """
    by_bag_code = {row.bag_code: row for row in known if row.bag_code is not None}
    by_place = {(row.name, row.municipality_id): row for row in known}
    plan = _ResidencePlan()
    seen_codes: set[str] = set()
    for row in rows:
        municipality_id = municipality_ids.get(row.municipality_code)
        if municipality_id is None:
            result.skipped.append(
                f"residence {row.name} (BAG {row.bag_code}): "
                f"municipality {row.municipality_code} not found"
            )
            continue
        if row.bag_code in seen_codes:
            result.skipped.append(
                f"residence {row.name}: BAG code {row.bag_code} repeated"
            )
            continue
        seen_codes.add(row.bag_code)

        place = (row.name, municipality_id)
        current = by_bag_code.get(row.bag_code)
        occupant = by_place.get(place)
        if current is not None and current.source in keep_sources:
            continue
        if occupant is not None and occupant is not current:
            if occupant.bag_code is not None:
                if occupant.source not in keep_sources:
                    result.skipped.append(
                        f"residence {row.name} (BAG {row.bag_code}) in municipality "
                        f"{row.municipality_code}: the name is already used there by "
                        f"BAG {occupant.bag_code}"
                    )
                continue
            if current is None:
                # A place from the polling-station list becomes the BAG residence.
                occupant.bag_code = row.bag_code
                occupant.source = source
                by_bag_code[row.bag_code] = occupant
                plan.claims.append({"row_id": occupant.id, "bag_code": row.bag_code})
                continue
            plan.absorbed[occupant.id] = current.id

        if current is None:
            current = _KnownResidence(
                id=uuid.uuid4(),
                name=row.name,
                bag_code=row.bag_code,
                municipality_id=municipality_id,
                source=source,
            )
            by_bag_code[row.bag_code] = current
        elif by_place.get((current.name, current.municipality_id)) is current:
            del by_place[(current.name, current.municipality_id)]
        current.name, current.municipality_id = place
        current.source = source
        by_place[place] = current
        plan.upserts.append(
            {
                "id": current.id,
                "bag_code": row.bag_code,
                "name": row.name,
                "municipality_id": municipality_id,
                "source": source,
            }
        )
    return plan


async def _apply_residences(
    session: AsyncSession,
    rows: Sequence[_ResidenceRow],
    source: str,
    result: ImportResult,
    *,
    keep_sources: frozenset[str] = frozenset(),
) -> None:
    """Upsert BAG residences by BAG code and add the counts to ``result``.

    A row without a BAG code that has the same name and municipality (a place
    from the polling-station list) becomes the BAG residence, so the
    unique (name, municipality) pair is kept. A BAG residence that would take
    the name and municipality of another BAG code is skipped.
    """
    # Core select through the session's connection: sqlmodel's select() is
    # typed for at most four columns.
    connection = await session.connection()
    known_rows = await connection.execute(
        sa.select(
            _RESIDENCE.c.id,
            _RESIDENCE.c.name,
            _RESIDENCE.c.bag_code,
            _RESIDENCE.c.municipality_id,
            _RESIDENCE.c.source,
        )
    )
    known = [_KnownResidence(*row) for row in known_rows.all()]
    municipality_ids = await _municipality_ids(session)
    plan = _plan_residences(rows, known, municipality_ids, source, keep_sources, result)

    if plan.claims:
        await session.exec(
            sa.update(_RESIDENCE)
            .where(_RESIDENCE.c.id == sa.bindparam("row_id"))
            .values(bag_code=sa.bindparam("bag_code"), source=source),
            params=plan.claims,
        )
        result.residences_updated += len(plan.claims)
    if plan.absorbed:
        await _absorb_places(session, plan.absorbed)

    for chunk in _chunks(plan.upserts):
        statement = insert(_RESIDENCE).values(list(chunk))
        excluded = statement.excluded
        upsert = statement.on_conflict_do_update(
            index_elements=[_RESIDENCE.c.bag_code],
            set_={
                "name": excluded.name,
                "municipality_id": excluded.municipality_id,
                "source": excluded.source,
            },
            where=sa.or_(
                _RESIDENCE.c.name.is_distinct_from(excluded.name),
                _RESIDENCE.c.municipality_id.is_distinct_from(excluded.municipality_id),
                _RESIDENCE.c.source.is_distinct_from(excluded.source),
            ),
        ).returning(_INSERTED)
        inserted, updated = _count_returned((await session.exec(upsert)).all())
        result.residences_added += inserted
        result.residences_updated += updated


async def _absorb_places(
    session: AsyncSession, absorbed: dict[uuid.UUID, uuid.UUID]
) -> None:
    """Move candidates from place rows to the BAG residence replacing them, then delete them.

    Each place row has the same name and municipality as the BAG residence it
    is merged into, so the residence name and municipality of a candidate do not change.
    """
    pairs = [{"old_id": old, "new_id": new} for old, new in absorbed.items()]
    await session.exec(
        sa.update(_CANDIDATE)
        .where(_CANDIDATE.c.residence_id == sa.bindparam("old_id"))
        .values(residence_id=sa.bindparam("new_id")),
        params=pairs,
    )
    await session.exec(sa.delete(_RESIDENCE).where(_RESIDENCE.c.id.in_(list(absorbed))))


async def _insert_places(
    session: AsyncSession, places: Iterable[tuple[str, str]], result: ImportResult
) -> int:
    """Insert places without a BAG code and return how many were new.

    A place is skipped when its name already exists in the municipality,
    whether from BAG or from an earlier run.
    """
    municipality_ids = await _municipality_ids(session)
    values: dict[tuple[str, uuid.UUID], dict[str, Any]] = {}
    for name, municipality_code in places:
        if not name:
            continue
        municipality_id = municipality_ids.get(municipality_code)
        if municipality_id is None:
            result.skipped.append(
                f"place {name}: municipality {municipality_code} not found"
            )
            continue
        values.setdefault(
            (name, municipality_id),
            {
                "name": name,
                "municipality_id": municipality_id,
                "source": SOURCE_POLLING_STATIONS,
            },
        )
    added = 0
    for chunk in _chunks(list(values.values())):
        statement = (
            insert(_RESIDENCE)
            .values(list(chunk))
            .on_conflict_do_nothing(constraint="uq_residence_name_municipality")
            .returning(_RESIDENCE.c.id)
        )
        added += len((await session.exec(statement)).all())
    return added


# --- CBS tables ----------------------------------------------------------------

# Accepted column headers after normalising (lower case, only letters and
# digits, without a StatLine suffix such as "_2"). The first match wins.
_RESIDENCE_NAME_HEADERS = (
    "woonplaatsnaam",
    "naamwoonplaats",
    "woonplaats",
    "woonplaatsen",
)
_RESIDENCE_CODE_HEADERS = (
    "woonplaatscode",
    "codewoonplaats",
    "woonplaatscodebag",
    "bagwoonplaatscode",
    "woonplaatsencode",
)
_MUNICIPALITY_CODE_HEADERS = (
    "codegemeente",
    "gemeentecode",
    "gemeentecodegm",
    "gmcode",
    "codegm",
)
_MUNICIPALITY_NAME_HEADERS = (
    "naamgemeente",
    "gemeentenaam",
    "gmnaam",
    "naamgm",
    "gemeente",
    "gemeenten",
)
_REGION_NAME_HEADERS = (
    "arbeidsmarktregio",
    "arbeidsmarktregionaam",
    "naamarbeidsmarktregio",
    "arbeidsmarktregios",
    "arbeidsmarktregiosnaam",
)
_PROVINCE_NAME_HEADERS = ("provincie", "provincienaam", "naamprovincie", "provincies")

# Title rows above the header in a spreadsheet export; the header must start
# within this many rows.
_MAX_HEADER_ROW = 20


@dataclass(frozen=True)
class _CbsTable:
    kind: str  # "woonplaatsen" or "gebieden"
    header_row: int  # index into the rows
    columns: dict[str, int]  # role -> column index


def _normalise_header(header: str) -> str:
    header = re.sub(r"_\d+$", "", header.strip())
    return re.sub(r"[^0-9a-z]", "", header.casefold())


def _find_column(headers: list[str], candidates: Sequence[str]) -> int | None:
    for candidate in candidates:
        if candidate in headers:
            return headers.index(candidate)
    return None


def _identify_table(header: list[str]) -> tuple[str, dict[str, int], list[str]]:
    """Return the table kind, the index of each column role found, and the missing roles."""
    headers = [_normalise_header(cell) for cell in header]
    found = {
        "residence_name": _find_column(headers, _RESIDENCE_NAME_HEADERS),
        "residence_code": _find_column(headers, _RESIDENCE_CODE_HEADERS),
        "municipality_code": _find_column(headers, _MUNICIPALITY_CODE_HEADERS),
        "municipality_name": _find_column(headers, _MUNICIPALITY_NAME_HEADERS),
        "region_name": _find_column(headers, _REGION_NAME_HEADERS),
        "province_name": _find_column(headers, _PROVINCE_NAME_HEADERS),
    }
    if found["residence_name"] is not None or found["residence_code"] is not None:
        kind = "woonplaatsen"
        required = [
            "residence_name",
            "residence_code",
            "municipality_code",
            "municipality_name",
        ]
    else:
        kind = "gebieden"
        required = ["municipality_code", "municipality_name"]
    missing = [role for role in required if found[role] is None]
    columns = {role: index for role, index in found.items() if index is not None}
    return kind, columns, missing


_COLUMN_DESCRIPTIONS = {
    "residence_name": "woonplaats name (e.g. 'Woonplaatsen' or 'Woonplaatsnaam')",
    "residence_code": "woonplaats code (e.g. 'Woonplaatscode')",
    "municipality_code": "municipality code (e.g. 'Code_gemeente' or 'Gemeentecode')",
    "municipality_name": "municipality name (e.g. 'Naam_gemeente' or 'Gemeentenaam')",
}


def _locate_table(path: Path, rows: list[list[str]]) -> _CbsTable:
    """Find the header row and table kind, or raise ValueError naming the missing columns."""
    first_header: list[str] | None = None
    first_missing: list[str] = []
    for index, row in enumerate(rows[:_MAX_HEADER_ROW]):
        if sum(1 for cell in row if cell) < 2:
            continue
        kind, columns, missing = _identify_table(row)
        if not missing:
            return _CbsTable(kind=kind, header_row=index, columns=columns)
        if first_header is None:
            first_header, first_missing = row, missing
    if first_header is None:
        raise ValueError(
            f"{path.name}: no header row found in the first {_MAX_HEADER_ROW} rows; "
            "expected a CBS table with column names"
        )
    found = ", ".join(repr(cell) for cell in first_header if cell)
    missing_text = "; ".join(_COLUMN_DESCRIPTIONS[role] for role in first_missing)
    noun = "column" if len(first_missing) == 1 else "columns"
    raise ValueError(
        f"{path.name} is not a recognised CBS table: missing {noun} {missing_text}. "
        f"Columns found: {found}. Expected 'Woonplaatsen in Nederland' (woonplaats "
        "name and code, municipality code and name) or 'Gebieden in Nederland' "
        "(municipality code and name, optionally 'Arbeidsmarktregio')."
    )


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Files that are not UTF-8 are read as Windows-1252.
        text = data.decode("cp1252")
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [[cell.strip() for cell in row] for row in reader]


def _read_xlsx(path: Path) -> list[list[str]]:
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return [
            [_cell_text(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def read_table_rows(path: Path) -> list[list[str]]:
    """Read a CSV (comma or semicolon separated) or .xlsx file as rows of stripped text."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        return _read_xlsx(path)
    if suffix in {".csv", ".txt"}:
        return _read_csv(path)
    raise ValueError(
        f"{path.name}: unsupported file type {suffix!r}; use .csv or .xlsx"
    )


def _strip_code(raw: str, prefix: str, entity: str, location: str) -> str:
    """Return the 4-digit code of e.g. 'GM0014', '0014' or '14', or raise ValueError."""
    value = raw.strip().upper()
    if value.startswith(prefix):
        value = value[len(prefix) :].strip()
    if not value.isdigit() or len(value) > 4:
        raise ValueError(
            f"{location}: invalid {entity} code {raw!r}; expected '{prefix}0014', '0014' or '14'"
        )
    return value.zfill(4)


def _municipality_code(raw: str, location: str) -> str:
    return _strip_code(raw, "GM", "municipality", location)


def _cell(row: list[str], index: int | None) -> str:
    if index is None or index >= len(row):
        return ""
    return row[index].strip()


async def import_cbs_table(session: AsyncSession, path: Path | str) -> ImportResult:
    """Upsert a CBS "Woonplaatsen in Nederland" or "Gebieden in Nederland" table.

    The table kind follows from the columns. A woonplaatsen row updates its
    residence by BAG code, so after a merger the residence moves to the new
    municipality. A new municipality gets no region until a Gebieden table
    with a labour-market region column is imported. Raises ValueError when
    the file is not one of the two tables or a code is invalid.

    NOTE: places without a BAG code (from the polling-station list) are not
    moved by a merger and stay with the old municipality.
    """
    path = Path(path)
    rows = await asyncio.to_thread(read_table_rows, path)
    table = _locate_table(path, rows)
    columns = table.columns
    result = ImportResult(table=table.kind)

    municipalities: dict[str, _MunicipalityRow] = {}
    residences: list[_ResidenceRow] = []
    unserved_regions: set[str] = set()
    has_regions = "region_name" in columns
    regions = await _region_ids_by_label(session) if has_regions else {}
    for number, row in enumerate(
        rows[table.header_row + 1 :], start=table.header_row + 2
    ):
        raw_code = _cell(row, columns["municipality_code"])
        if not raw_code:
            # Blank lines and footers such as "Bron: CBS" carry no code.
            continue
        location = f"{path.name} row {number}"
        code = _municipality_code(raw_code, location)
        name = _cell(row, columns["municipality_name"])
        if not name:
            raise ValueError(f"{location}: name of municipality {raw_code} is missing")
        region_label = _cell(row, columns.get("region_name"))
        if has_regions and region_label.casefold() not in regions:
            unserved_regions.add(region_label)
        municipalities[code] = _MunicipalityRow(
            code=code,
            name=name,
            province=_cell(row, columns.get("province_name")) or None,
            region_id=regions.get(region_label.casefold()),
        )
        if table.kind == "woonplaatsen":
            residence_name = _cell(row, columns["residence_name"])
            raw_bag_code = _cell(row, columns["residence_code"])
            if not residence_name or not raw_bag_code:
                raise ValueError(f"{location}: woonplaats name or code is missing")
            bag_code = _strip_code(raw_bag_code, "WP", "woonplaats", location)
            residences.append(
                _ResidenceRow(
                    bag_code=bag_code, name=residence_name, municipality_code=code
                )
            )

    update_columns = ["name"]
    if "province_name" in columns:
        update_columns.append("province")
    if has_regions:
        # Regions the monitor does not serve match nothing and clear the region.
        update_columns.append("region_id")
        logger.info(
            "%s: municipalities of these labour-market regions get no region: %s",
            path.name,
            ", ".join(sorted(unserved_regions)) or "none",
        )
    added, updated = await _upsert_municipalities(
        session, municipalities.values(), columns=update_columns
    )
    result.municipalities_added, result.municipalities_updated = added, updated
    if residences:
        await _apply_residences(session, residences, SOURCE_CBS, result)

    _log_result(f"CBS table {path.name} ({table.kind})", result)
    return result


def _log_result(label: str, result: ImportResult) -> None:
    logger.info(
        "loaded %s: municipalities added %d, updated %d; residences added %d, updated %d",
        label,
        result.municipalities_added,
        result.municipalities_updated,
        result.residences_added,
        result.residences_updated,
    )
    if result.skipped:
        # One line for all skipped rows; the full list is in ImportResult.skipped.
        logger.warning(
            "loading %s skipped %d rows, first: %s",
            label,
            len(result.skipped),
            result.skipped[0],
        )


# --- search ------------------------------------------------------------------------


async def search_residences(
    session: AsyncSession, search: str, first: int = 20
) -> list[tuple[Residence, Municipality]]:
    """Find residences by name, case-insensitively, with their municipality.

    Exact matches come first, then names starting with ``search``, then names
    containing it. Each group is sorted by name and municipality name, with
    BAG residences before places without a BAG code. Blank input returns [].
    Raises ValueError unless ``first`` is between 0 and MAX_SEARCH_RESULTS.

    NOTE: matching is not accent-insensitive, so "Exloerveen" misses "Exloërveen".
    """
    if not 0 <= first <= MAX_SEARCH_RESULTS:
        raise ValueError(
            f"first must be between 0 and {MAX_SEARCH_RESULTS}, got {first}"
        )
    term = search.strip()
    if not term or first == 0:
        return []

    escaped = escape_like(term)
    lowered_name = sa.func.lower(Residence.name)
    lowered_term = sa.func.lower(sa.literal(term))
    rank = sa.case(
        (lowered_name == lowered_term, 0),
        (lowered_name.like(sa.func.lower(sa.literal(escaped + "%")), escape="\\"), 1),
        else_=2,
    )
    statement = (
        select(Residence, Municipality)
        .join(Municipality, col(Residence.municipality_id) == col(Municipality.id))
        .where(
            lowered_name.like(
                sa.func.lower(sa.literal("%" + escaped + "%")), escape="\\"
            )
        )
        .order_by(
            rank,
            col(Residence.name),
            col(Municipality.name),
            col(Residence.bag_code).is_(None),
        )
        .limit(first)
    )
    return [
        (residence, municipality)
        for residence, municipality in (await session.exec(statement)).all()
    ]


# --- entry points for the command line ---------------------------------------------


async def load_bundled_reference_data(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> ImportResult:
    """Load the bundled reference data in one committed transaction."""
    async with sessionmaker() as session, session.begin():
        return await load_reference_data(session)


async def import_reference_file(
    sessionmaker: async_sessionmaker[AsyncSession], path: Path | str
) -> ImportResult:
    """Import one CBS table file in one committed transaction."""
    async with sessionmaker() as session, session.begin():
        return await import_cbs_table(session, path)
