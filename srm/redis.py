"""Redis connection settings shared by the API server and the arq worker."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from arq.connections import RedisSettings

REDIS_SCHEMES = ("redis", "rediss", "unix")
DEFAULT_REDIS_PORT = 6379
# arq queue that the API server writes jobs to and the worker reads.
QUEUE_NAME = "srm:queue"


def arq_redis_settings(redis_url: str) -> RedisSettings:
    """Convert a redis-py connection URL into arq ``RedisSettings``.

    Accepts the URL forms that ``redis.Redis.from_url`` accepts for a single
    server: ``redis://[user[:password]@]host[:port][/db]``, ``rediss://`` for
    TLS, and ``unix://[user[:password]@]/path/to/socket[?db=N]``. A ``db`` or
    ``password`` query parameter overrides the value from the path or the user
    part. Percent-encoded parts are decoded, unlike in arq 0.28's
    ``RedisSettings.from_dsn``.

    Raises ``ValueError`` for another scheme, a missing host or socket path, or
    a database number that is not a non-negative integer.
    """
    parts = urlsplit(redis_url)
    if parts.scheme not in REDIS_SCHEMES:
        raise ValueError(
            f"Invalid Redis URL scheme {parts.scheme!r} in {_without_password(redis_url)}. "
            "Use redis://host:port/db, rediss://host:port/db or unix:///path?db=N."
        )

    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    if "password" in query:
        password = query["password"]

    if parts.scheme == "unix":
        socket_path = unquote(parts.path)
        if not socket_path:
            raise ValueError(
                f"Redis URL {_without_password(redis_url)} has no socket path. "
                "Use unix:///path/to/redis.socket?db=N."
            )
        return RedisSettings(
            unix_socket_path=socket_path,
            database=_parse_database(query.get("db", "0"), redis_url),
            username=username,
            password=password,
        )

    if not parts.hostname:
        raise ValueError(
            f"Redis URL {_without_password(redis_url)} has no host. "
            "Use redis://host:port/db."
        )
    try:
        port = parts.port or DEFAULT_REDIS_PORT
    except ValueError as error:
        raise ValueError(
            f"Invalid Redis port in {_without_password(redis_url)}: {error}"
        ) from error
    path_database = unquote(parts.path).strip("/") or "0"
    return RedisSettings(
        host=unquote(parts.hostname),
        port=port,
        database=_parse_database(query.get("db", path_database), redis_url),
        username=username,
        password=password,
        ssl=parts.scheme == "rediss",
    )


def _parse_database(value: str, redis_url: str) -> int:
    if not (value.isascii() and value.isdigit()):
        raise ValueError(
            f"Invalid Redis database {value!r} in {_without_password(redis_url)}. "
            "Expected a non-negative integer."
        )
    return int(value)


def _without_password(redis_url: str) -> str:
    """Return the URL with the password in its user part and query masked."""
    parts = urlsplit(redis_url)
    if parts.password is None and "password=" not in parts.query:
        return redis_url
    netloc = parts.netloc
    if parts.password is not None:
        netloc = netloc.replace(f":{parts.password}@", ":***@", 1)
    query = "&".join(
        "password=***" if item.startswith("password=") else item
        for item in parts.query.split("&")
    )
    return parts._replace(netloc=netloc, query=query).geturl()
