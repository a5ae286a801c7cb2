"""Characterization of the importer on every real file: counts, and fingerprints of every error and
warning (line, field, value, reason) and of every value written. Recorded before the importer was
optimised for throughput; any change of report semantics or of stored values shows here.

Re-record (only for an intended change, explained in the commit):
    MAILLAGE_RECORD_CHARACTERIZATION=1 .venv/bin/pytest tests/places/test_import_characterization.py
"""

import hashlib
import json
import os
from pathlib import Path

import pytest

from maillage.places.importing.runner import COMPARED
from maillage.places.models import Place, QuarantinedRow
from tests.places.test_import_files import DATA_FILES, _import

SNAPSHOT = Path(__file__).parent / "characterization" / "imports.json"
RECORD = os.environ.get("MAILLAGE_RECORD_CHARACTERIZATION") == "1"


def _digest(items) -> str:
    return hashlib.sha256(json.dumps(items, ensure_ascii=False, sort_keys=True, default=str).encode()).hexdigest()


def characterize(relative: str) -> dict:
    report, batch = _import(relative)
    issues = lambda kind: sorted(  # noqa: E731
        (issue["line"], issue["field"], issue["value"], issue["reason"]) for issue in report[kind]
    )
    stored = list(
        Place.objects.filter(dataset=report["dataset"]).order_by("local_id").values_list("local_id", *COMPARED)
    )
    quarantined = list(
        QuarantinedRow.objects.filter(batch=batch).order_by("line").values_list("line", "data", "raw", "errors")
    )
    return {
        "rows": report["rows"],
        "accepted": report["accepted"],
        "rejected": report["rejected"],
        "errors": len(report["errors"]),
        "warnings": len(report["warnings"]),
        "errors_sha256": _digest(issues("errors")),
        "warnings_sha256": _digest(issues("warnings")),
        "places_sha256": _digest(stored),
        "quarantine_sha256": _digest(quarantined),
        "file": report["file"],
        "variant": report["variant"],
    }


@pytest.mark.parametrize("relative", sorted(DATA_FILES))
def test_import_report_and_values_are_unchanged(relative):
    found = characterize(relative)
    recorded = json.loads(SNAPSHOT.read_text(encoding="utf-8")) if SNAPSHOT.exists() else {}
    if RECORD:
        recorded[relative] = found
        SNAPSHOT.write_text(
            json.dumps(recorded, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
        )
        return
    assert relative in recorded, "no characterization recorded for this file"
    assert found == recorded[relative]
    assert found["rows"] == found["accepted"] + found["rejected"]
