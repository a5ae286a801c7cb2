"""Real data files from ../shared/data, read in place (never copied into the project).

Tests that need them call `shared_file("lieux/v1/…")`: where the folder is absent (a checkout
outside the workplace), the test is skipped with the reason.
"""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


def shared_file(relative: str) -> Path:
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"données partagées absentes : {path} (lancer les tests depuis l'espace de travail)")
    return path
