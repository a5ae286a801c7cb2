"""Demo data of the roadmap app for the demo territory."""


def seed_roadmap(departement: str) -> str:
    """Create the demo data (idempotent); return one line to print, or an empty string."""
    return ""
