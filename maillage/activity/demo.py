"""Demo data of the activity app for the demo territory."""


def seed_activity(departement: str) -> str:
    """Create the demo data (idempotent); return one line to print, or an empty string."""
    return ""
