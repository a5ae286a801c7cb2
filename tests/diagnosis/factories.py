"""Index runs for tests, made through the real services from a small commune-scores file."""

import csv
import io
import tempfile
import zlib
from pathlib import Path

from maillage.diagnosis.enums import RunKind
from maillage.diagnosis.methods import load_method
from maillage.diagnosis.services import index_compute, index_run_store
from maillage.territories.models import Commune

COLUMNS = ["no_thd_coverage_rate", "no_4g_coverage_rate", "poverty_rate", "older_65_rate", "nscol15p_rate"]


def commune_score(code: str, column: str) -> int:
    """A deterministic class 1–10 per commune and indicator."""
    return zlib.crc32(f"{code}:{column}".encode()) % 10 + 1


def scores_csv(departements=("28", "45")) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "division", "code", *COLUMNS, "total"])
    for commune in Commune.objects.communes().filter(departement_id__in=departements).order_by("code"):
        values = [commune_score(commune.code, column) for column in COLUMNS]
        writer.writerow([commune.nom, "city", commune.code, *values, sum(values) / len(values)])
    return out.getvalue()


def make_run(departements=("28", "45"), kind=RunKind.OFFICIAL):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "scores.csv"
        path.write_text(scores_csv(departements), encoding="utf-8")
        computation = index_compute(method=load_method("ifn-v3"), commune_scores=path)
    return index_run_store(actor=None, computation=computation, kind=kind, departements=set(departements))
