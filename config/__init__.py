"""Project configuration: settings per environment, URLs, WSGI/ASGI entry points."""

import os

SETTINGS_BY_ENV = {
    "development": "config.settings.dev",
    "production": "config.settings.prod",
    "test": "config.settings.test",
}


def settings_module() -> str:
    """Return the settings module for MAILLAGE_ENV (development by default)."""
    name = os.environ.get("MAILLAGE_ENV", "development")
    try:
        return SETTINGS_BY_ENV[name]
    except KeyError:
        choices = ", ".join(SETTINGS_BY_ENV)
        raise SystemExit(f"MAILLAGE_ENV={name!r} is not one of: {choices}") from None


def setup_environment() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", settings_module())
