"""Benchmark the project list and candidate pages at a realistic data volume.

Run by hand, never in CI (see bench/README.md). The script creates a database
of its own on the PostgreSQL server of ``SRM_BENCH_DATABASE_URL``, prepares it
as the test suite does (schema, reference data, policies, demo data), and
bulk-inserts invented projects, candidates and costs in the Groningen region.
It then sends GraphQL requests as the Groningen coordinator through the real
ASGI application (httpx.ASGITransport with the lifespan running) and prints the
median and p95 latency and the number of SQL statements of each request. The
database is dropped at the end, also after an error or Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import math
import os
import re
import secrets
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.generated_data import (
    REGION_CODE,
    SESSION,
    USER,
    Scale,
    count_region_rows,
    load_generated_data,
)
from srm.app import create_app
from srm.bootstrap import prepare_database
from srm.config import Settings
from srm.demo import demo_email
from srm.schema.relay import to_global_id
from srm.services.auth import token_hash

logger = logging.getLogger("bench.project_list")

DEFAULT_ADMIN_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
DATABASE_PREFIX = "srm_bench"

COORDINATOR_EMAIL = demo_email("Coby Coördinator")

PAGE_SIZE = 50
CANDIDATE_PAGE_SIZE = 100
NESTED_CANDIDATE_PAGE_SIZE = 5

SETTING_NAME = re.compile(r"[a-z_][a-z0-9_.]*")
SETTING_VALUE = re.compile(r"[A-Za-z0-9._-]+")


# --- options -------------------------------------------------------------------


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def database_setting(text: str) -> tuple[str, str]:
    """Parse NAME=VALUE, allowing only characters that are safe to write into SQL.

    ALTER DATABASE ... SET takes no bind parameters, so the text goes into the
    statement itself.
    """
    name, separator, value = text.partition("=")
    if not separator or not SETTING_NAME.fullmatch(name):
        raise argparse.ArgumentTypeError(
            f"expected NAME=VALUE with a PostgreSQL setting name, got {text!r}"
        )
    if not SETTING_VALUE.fullmatch(value):
        raise argparse.ArgumentTypeError(
            f"the value may contain only letters, digits, '.', '_' and '-', got {value!r}"
        )
    return name, value


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=(
            "Measure project list and candidate page latency through the ASGI app "
            "on a database of generated data. The database server comes from "
            f"SRM_BENCH_DATABASE_URL (default {DEFAULT_ADMIN_URL}), Redis from "
            f"SRM_BENCH_REDIS_URL (default {DEFAULT_REDIS_URL})."
        )
    )
    parser.add_argument(
        "--projects",
        type=positive_int,
        default=1000,
        help="generated projects in the Groningen region (default: 1000)",
    )
    parser.add_argument(
        "--candidates-per-project",
        type=non_negative_int,
        default=20,
        help="candidates of every generated project except the large one (default: 20)",
    )
    parser.add_argument(
        "--costs-per-project",
        type=non_negative_int,
        default=10,
        help="costs of every generated project (default: 10)",
    )
    parser.add_argument(
        "--large-project-candidates",
        type=positive_int,
        default=150,
        help=(
            "candidates of the one large project that the candidate page request "
            f"reads with first: {CANDIDATE_PAGE_SIZE} (default: 150)"
        ),
    )
    parser.add_argument(
        "--runs",
        type=positive_int,
        default=30,
        help="timed runs of each request, after the warm-up (default: 30)",
    )
    parser.add_argument(
        "--warmup",
        type=non_negative_int,
        default=3,
        help="untimed runs of each request before the timed ones (default: 3)",
    )
    parser.add_argument(
        "--search",
        default="sporthal",
        help="text of the search filter request (default: sporthal)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=20261204,
        help=(
            "seed of the generated rows, their ids and the person-key secret "
            "(default: 20261204)"
        ),
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help=(
            "also print EXPLAIN (ANALYZE, BUFFERS) of the slowest SQL statement of "
            "each request, taken from its last timed run"
        ),
    )
    parser.add_argument(
        "--set",
        dest="settings",
        metavar="NAME=VALUE",
        type=database_setting,
        action="append",
        default=[],
        help=(
            "PostgreSQL setting for the benchmark database, applied with ALTER "
            "DATABASE before the requests run, for example jit=off; repeatable"
        ),
    )
    return parser.parse_args(argv)


# --- database life cycle ---------------------------------------------------------


async def create_bench_database(admin_url: str) -> str:
    """Create an empty database with a unique name and return its URL."""
    name = f"{DATABASE_PREFIX}_{uuid.uuid4().hex[:12]}"
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        await engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


async def drop_bench_database(admin_url: str, database_url: str) -> None:
    name = make_url(database_url).database
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(
                sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
    finally:
        await engine.dispose()


async def apply_database_settings(
    admin_url: str, database_url: str, settings: Sequence[tuple[str, str]]
) -> None:
    """Store settings on the benchmark database; connections opened later use them."""
    if not settings:
        return
    name = make_url(database_url).database
    engine = create_async_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            for setting, value in settings:
                await connection.execute(
                    sa.text(f"ALTER DATABASE \"{name}\" SET {setting} = '{value}'")
                )
    finally:
        await engine.dispose()


async def open_session_token(database_url: str, email: str) -> str:
    """Insert a login session for ``email`` and return its bearer token.

    The benchmark measures reading, so it skips the password and TOTP steps.
    """
    token = secrets.token_urlsafe(32)
    now = datetime.now(tz=UTC)
    engine = create_async_engine(database_url)
    try:
        async with engine.begin() as connection:
            user_id = (
                await connection.execute(
                    sa.select(USER.c.id).where(USER.c.email == email)
                )
            ).scalar_one()
            await connection.execute(
                sa.insert(SESSION).values(
                    id=uuid.uuid4(),
                    user_id=user_id,
                    token_hash=token_hash(token),
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + timedelta(hours=1),
                )
            )
    finally:
        await engine.dispose()
    return token


# --- GraphQL requests --------------------------------------------------------------

PROGRESS_ORDER = "[{field: PROGRESS_ACTUAL_PERCENTAGE, direction: DESC}]"

PROJECT_LIST_FIELDS = """
    id
    name
    reference
    status
    agreementType
    startDate
    endDate
    obligation { amount isEstimate fixedOn }
    progress { actual forecast actualPercentage forecastPercentage }
"""

PROJECT_LIST_QUERY = f"""
query BenchProjectList($first: Int!) {{
  projects(first: $first, orderBy: {PROGRESS_ORDER}) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {PROJECT_LIST_FIELDS} }} }}
  }}
}}
"""

PROJECT_SEARCH_QUERY = f"""
query BenchProjectSearch($first: Int!, $search: String!) {{
  projects(first: $first, filter: {{search: $search}}, orderBy: {PROGRESS_ORDER}) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    edges {{ node {{ {PROJECT_LIST_FIELDS} }} }}
  }}
}}
"""

CANDIDATE_PAGE_QUERY = """
query BenchCandidatePage($id: ID!, $first: Int!) {
  project(id: $id) {
    id
    name
    progress { actual forecast actualPercentage forecastPercentage }
    candidates(first: $first) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id
          firstName
          lastName
          jobTitle
          educationLevel
          targetGroup
          contractType
          startDate
          endDate
          hoursPerWeek
          valueActual
          valueForecast
          validated
          redactedFields
          possibleDuplicate
          municipality { name }
          buildingBlock { code name }
        }
      }
    }
  }
}
"""

NESTED_CANDIDATES_QUERY = f"""
query BenchProjectListWithCandidates($first: Int!, $candidates: Int!) {{
  projects(first: $first, orderBy: {PROGRESS_ORDER}) {{
    totalCount
    edges {{
      node {{
        {PROJECT_LIST_FIELDS}
        candidates(first: $candidates) {{
          totalCount
          edges {{
            node {{
              id
              jobTitle
              startDate
              endDate
              valueActual
              valueForecast
              municipality {{ name }}
            }}
          }}
        }}
      }}
    }}
  }}
}}
"""


@dataclass(frozen=True)
class BenchRequest:
    label: str
    query: str
    variables: dict[str, Any]


@dataclass
class RecordedStatement:
    """One SQL statement sent while a request ran, with its duration.

    The duration runs from before_cursor_execute to after_cursor_execute,
    which with asyncpg includes fetching the rows.
    """

    text: str
    parameters: Any
    seconds: float = 0.0

    def summary(self, width: int = 100) -> str:
        flat = " ".join(self.text.split())
        return flat if len(flat) <= width else flat[: width - 1] + "…"


@dataclass
class Measurement:
    label: str
    latencies_ms: list[float]
    sql_ms: list[float]
    slowest_statement_ms: list[float]
    statement_counts: list[int]
    projects_returned: int
    candidates_returned: int
    total_count: int | None
    slowest_statement: RecordedStatement


@dataclass
class StatementRecorder:
    """Statements an engine sends while ``recording`` is true."""

    recording: bool = False
    statements: list[RecordedStatement] = field(default_factory=list)
    _running: dict[int, tuple[RecordedStatement, float]] = field(default_factory=dict)

    def reset(self) -> None:
        self.statements = []
        self._running.clear()

    def before_execute(
        self,
        connection: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        if self.recording:
            entry = RecordedStatement(statement, parameters)
            self.statements.append(entry)
            self._running[id(context)] = (entry, time.perf_counter())

    def after_execute(
        self,
        connection: Any,
        cursor: Any,
        statement: str,
        parameters: Any,
        context: Any,
        executemany: bool,
    ) -> None:
        running = self._running.pop(id(context), None)
        if running is not None:
            entry, started = running
            entry.seconds = time.perf_counter() - started


@contextmanager
def listening(engine: AsyncEngine, recorder: StatementRecorder) -> Iterator[None]:
    events = [
        ("before_cursor_execute", recorder.before_execute),
        ("after_cursor_execute", recorder.after_execute),
    ]
    for name, handler in events:
        sa.event.listen(engine.sync_engine, name, handler)
    try:
        yield
    finally:
        for name, handler in events:
            sa.event.remove(engine.sync_engine, name, handler)


async def post_query(
    client: httpx.AsyncClient, token: str, request: BenchRequest
) -> dict[str, Any]:
    response = await client.post(
        "/graphql",
        json={"query": request.query, "variables": request.variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    body: dict[str, Any] = response.json()
    if response.status_code != 200 or body.get("errors"):
        raise RuntimeError(
            f"Request {request.label!r} failed with HTTP {response.status_code}: "
            f"{body.get('errors')}"
        )
    return body["data"]  # type: ignore[no-any-return]


def count_nodes(data: dict[str, Any]) -> tuple[int, int, int | None]:
    """Return (projects, candidates, totalCount of the project list) in a response."""
    if "projects" in data:
        edges = data["projects"]["edges"]
        candidates = sum(
            len(edge["node"]["candidates"]["edges"])
            for edge in edges
            if "candidates" in edge["node"]
        )
        return len(edges), candidates, data["projects"]["totalCount"]
    project = data["project"]
    if project is None:
        raise RuntimeError("The large project is not visible to the coordinator.")
    return 1, len(project["candidates"]["edges"]), None


async def measure(
    client: httpx.AsyncClient,
    token: str,
    recorder: StatementRecorder,
    request: BenchRequest,
    warmup: int,
    runs: int,
) -> Measurement:
    """Time ``runs`` requests after ``warmup`` untimed ones."""
    for _ in range(warmup):
        await post_query(client, token, request)
    latencies: list[float] = []
    sql_times: list[float] = []
    slowest_times: list[float] = []
    counts: list[int] = []
    data: dict[str, Any] = {}
    for _ in range(runs):
        recorder.reset()
        recorder.recording = True
        started = time.perf_counter()
        try:
            data = await post_query(client, token, request)
        finally:
            elapsed = time.perf_counter() - started
            recorder.recording = False
        latencies.append(elapsed * 1000)
        # DataLoaders can run statements concurrently, so this sum can exceed
        # the request's wall time.
        sql_times.append(sum(entry.seconds for entry in recorder.statements) * 1000)
        slowest_times.append(max(entry.seconds for entry in recorder.statements) * 1000)
        counts.append(len(recorder.statements))
    projects, candidates, total = count_nodes(data)
    return Measurement(
        label=request.label,
        latencies_ms=latencies,
        sql_ms=sql_times,
        slowest_statement_ms=slowest_times,
        statement_counts=counts,
        projects_returned=projects,
        candidates_returned=candidates,
        total_count=total,
        slowest_statement=max(recorder.statements, key=lambda entry: entry.seconds),
    )


def percentile(values: Sequence[float], fraction: float) -> float:
    """Return the nearest-rank percentile: the smallest value with ``fraction`` at or below it."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def format_statement_counts(counts: Sequence[int]) -> str:
    low, high = min(counts), max(counts)
    return str(low) if low == high else f"{low}–{high}"


def results_table(measurements: Sequence[Measurement]) -> str:
    lines = [
        "| request | projects | candidates | SQL statements | median ms | p95 ms "
        "| min ms | max ms | SQL ms, median | slowest statement ms, median |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for item in measurements:
        lines.append(
            f"| {item.label} | {item.projects_returned} | {item.candidates_returned} "
            f"| {format_statement_counts(item.statement_counts)} "
            f"| {median(item.latencies_ms):.1f} | {percentile(item.latencies_ms, 0.95):.1f} "
            f"| {min(item.latencies_ms):.1f} | {max(item.latencies_ms):.1f} "
            f"| {median(item.sql_ms):.1f} | {median(item.slowest_statement_ms):.1f} |"
        )
    return "\n".join(lines)


async def explain(database_url: str, statement: RecordedStatement) -> str:
    """Run EXPLAIN (ANALYZE, BUFFERS) of a recorded statement with its parameters."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as connection:
            rows = await connection.exec_driver_sql(
                "EXPLAIN (ANALYZE, BUFFERS) " + statement.text, statement.parameters
            )
            return "\n".join(row[0] for row in rows)
    finally:
        await engine.dispose()


# --- main ------------------------------------------------------------------------


async def run_requests(
    options: argparse.Namespace,
    database_url: str,
    redis_url: str,
    secret: bytes,
    large_project_id: uuid.UUID,
) -> list[Measurement]:
    settings = Settings(
        database_url=database_url,
        redis_url=redis_url,
        secret_key=secret.hex(),  # type: ignore[arg-type]
        environment="test",
    )
    token = await open_session_token(database_url, COORDINATOR_EMAIL)
    requests = [
        BenchRequest(
            f"projects(first: {PAGE_SIZE}), progress % DESC",
            PROJECT_LIST_QUERY,
            {"first": PAGE_SIZE},
        ),
        BenchRequest(
            f'projects(first: {PAGE_SIZE}, search: "{options.search}"), progress % DESC',
            PROJECT_SEARCH_QUERY,
            {"first": PAGE_SIZE, "search": options.search},
        ),
        BenchRequest(
            f"project(id) {{ candidates(first: {CANDIDATE_PAGE_SIZE}) }}",
            CANDIDATE_PAGE_QUERY,
            {
                "id": to_global_id("Project", large_project_id),
                "first": CANDIDATE_PAGE_SIZE,
            },
        ),
        BenchRequest(
            f"projects(first: {PAGE_SIZE}) {{ candidates(first: {NESTED_CANDIDATE_PAGE_SIZE}) }}",
            NESTED_CANDIDATES_QUERY,
            {"first": PAGE_SIZE, "candidates": NESTED_CANDIDATE_PAGE_SIZE},
        ),
    ]
    app = create_app(settings, database_url, redis_url)
    recorder = StatementRecorder()
    measurements: list[Measurement] = []
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("127.0.0.1", 50000))
        async with httpx.AsyncClient(
            transport=transport, base_url="http://127.0.0.1"
        ) as client:
            with listening(app.state.resources.engine, recorder):
                for request in requests:
                    started = time.perf_counter()
                    measurement = await measure(
                        client, token, recorder, request, options.warmup, options.runs
                    )
                    logger.info(
                        "measured %s in %.1f s",
                        request.label,
                        time.perf_counter() - started,
                    )
                    measurements.append(measurement)
    return measurements


async def run(options: argparse.Namespace) -> None:
    admin_url = os.environ.get("SRM_BENCH_DATABASE_URL") or DEFAULT_ADMIN_URL
    redis_url = os.environ.get("SRM_BENCH_REDIS_URL") or DEFAULT_REDIS_URL
    scale = Scale(
        projects=options.projects,
        candidates_per_project=options.candidates_per_project,
        costs_per_project=options.costs_per_project,
        large_project_candidates=options.large_project_candidates,
    )
    # The key only feeds the person hashes of this throwaway database. Deriving it
    # from the seed repeats the same hashes, and so the same planner statistics.
    secret = hashlib.sha256(f"srm-bench:{options.seed}".encode()).digest()
    total_started = time.perf_counter()
    database_url = await create_bench_database(admin_url)
    database_name = make_url(database_url).database
    logger.info("created database %s", database_name)
    try:
        started = time.perf_counter()
        await prepare_database(database_url, demo=True, secret=secret)
        logger.info(
            "prepared schema, reference data, policies and demo data in %.1f s",
            time.perf_counter() - started,
        )
        large_project_id = await load_generated_data(
            database_url, scale, secret, options.seed
        )
        counts = await count_region_rows(database_url)
        await apply_database_settings(admin_url, database_url, options.settings)
        measurements = await run_requests(
            options, database_url, redis_url, secret, large_project_id
        )
        plans: list[tuple[Measurement, str]] = []
        if options.explain:
            for measurement in measurements:
                plan = await explain(database_url, measurement.slowest_statement)
                plans.append((measurement, plan))
    finally:
        await drop_bench_database(admin_url, database_url)
        logger.info("dropped database %s", database_name)

    list_total = measurements[0].total_count
    search_total = measurements[1].total_count
    print(
        f"Generated: {scale.projects} projects, {scale.candidates} candidates, "
        f"{scale.costs} costs (seed {options.seed})."
    )
    print(
        f"Region {REGION_CODE} with the demo data: {counts['projects']} projects, "
        f"{counts['candidates']} candidates, {counts['costs']} costs. The coordinator's "
        f"list (not completed) has {list_total} projects; the search "
        f'"{options.search}" matches {search_total}.'
    )
    print(
        f"{options.runs} timed requests per row after {options.warmup} warm-up "
        "requests; p95 is the nearest-rank value."
    )
    if options.settings:
        applied = ", ".join(f"{name}={value}" for name, value in options.settings)
        print(f"Database settings: {applied}.")
    print()
    print(results_table(measurements))
    for measurement, plan in plans:
        print()
        print(
            f"EXPLAIN (ANALYZE, BUFFERS) of the slowest statement of {measurement.label}, "
            f"{measurement.slowest_statement.seconds * 1000:.1f} ms in the last timed "
            f"request: {measurement.slowest_statement.summary()}"
        )
        print(plan)
    print()
    print(f"Total run time: {time.perf_counter() - total_started:.0f} s")


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_arguments(argv)
    logging.basicConfig(
        level=logging.WARNING,
        stream=sys.stderr,
        format="%(asctime)s %(name)s %(levelname)s %(message)s",
    )
    logging.getLogger("bench").setLevel(logging.INFO)
    try:
        asyncio.run(run(options))
    except KeyboardInterrupt:
        logger.warning("interrupted by the user")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
