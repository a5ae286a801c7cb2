"""Demo data of the diagnosis app for the demo territory."""


def seed_diagnosis(departement: str) -> str:
    """Create the demo data (idempotent); return one line to print, or an empty string."""
    return ""
