"""Settings of the activity app: a Django setting of the same name wins, else the environment
(read through config.env like every setting), else the default. Listed in docs/environment.md."""

from pathlib import Path

from django.conf import settings

from config.env import BASE_DIR, env

DEFAULT_RETENTION_MONTHS = 24


def retention_months() -> int:
    """Months without activity after which a followed beneficiary is anonymised."""
    value = getattr(settings, "ACTIVITY_RETENTION_MONTHS", None)
    return int(value if value is not None else env.int("ACTIVITY_RETENTION_MONTHS", default=DEFAULT_RETENTION_MONTHS))


def stats_dir() -> Path:
    """Folder of the national statistics files (default: ../shared/data/stats next to the project)."""
    value = getattr(settings, "ACTIVITY_STATS_DIR", None) or env("ACTIVITY_STATS_DIR", default="")
    return Path(value) if value else BASE_DIR.parent / "shared" / "data" / "stats"
