"""Runtime settings, read from the environment with the prefix ``SRM_``."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Settings of the API server and the worker.

    Without ``database_url`` and ``redis_url`` the server starts an embedded
    PostgreSQL and Redis in ``data_dir``.
    """

    model_config = SettingsConfigDict(
        env_prefix="SRM_", env_file=".env", extra="ignore"
    )

    environment: str = Field(
        "development",
        description="development or production; production hides GraphiQL",
    )
    database_url: str | None = Field(
        None,
        description="postgresql+asyncpg:// URL; empty starts the embedded PostgreSQL",
    )
    redis_url: str | None = Field(
        None, description="redis:// URL; empty starts the embedded Redis"
    )
    data_dir: Path = Field(Path(".srm"), description="folder of the embedded servers")
    secret_key: SecretStr = Field(
        SecretStr("development-only-secret-change-me"),
        description="key for signing and hashing tokens; set a long random value in production",
    )
    public_base_url: str = Field(
        "http://127.0.0.1:8000",
        description="address of the web front end; links in mails start with it",
    )
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 1025
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_tls: bool = False
    mail_sender: str = "Social Return Monitor <noreply@srm.example>"
    session_idle_minutes: int = Field(
        30, description="session expires after this idle time"
    )
    session_max_hours: int = Field(
        12, description="session expires this long after login"
    )
    login_challenge_seconds: int = Field(
        300, description="time between password step and code step of the login"
    )
    graphiql: bool | None = Field(
        None, description="serve GraphiQL; defaults to on outside production"
    )
    log_level: str = "INFO"

    @property
    def graphiql_enabled(self) -> bool:
        if self.graphiql is not None:
            return self.graphiql
        return self.environment != "production"


@lru_cache
def get_settings() -> Settings:
    return Settings()
