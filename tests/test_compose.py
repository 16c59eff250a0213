"""docker-compose.yml: the services it must run and settings the code defines."""

from __future__ import annotations

from pathlib import Path

import yaml

from srm.config import Settings

COMPOSE_FILE = Path(__file__).parent.parent / "docker-compose.yml"
SRM_SERVICES = ("api", "worker", "migrate")


def test_compose_services() -> None:
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))

    assert set(compose["services"]) >= {
        "api",
        "worker",
        "migrate",
        "postgres",
        "redis",
        "mailpit",
    }


def test_compose_settings_exist() -> None:
    compose = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    known = set(Settings.model_fields)

    for service in SRM_SERVICES:
        environment = compose["services"][service].get("environment") or {}
        names = (
            environment
            if isinstance(environment, dict)
            else [e.split("=", 1)[0] for e in environment]
        )
        for name in names:
            assert name.startswith("SRM_"), (service, name)
            assert name.removeprefix("SRM_").lower() in known, (service, name)
