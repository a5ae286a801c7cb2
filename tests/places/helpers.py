import csv
import io

from maillage.places import standard as std
from maillage.places.export import to_csv

VALID_ROW = {
    "id": "lieu-1",
    "pivot": "13002526500013",
    "nom": "Espace numérique de Châteaudun",
    "commune": "Châteaudun",
    "code_postal": "28200",
    "code_insee": "28088",
    "adresse": "2 place du 18-Octobre",
    "latitude": "48.0707",
    "longitude": "1.3379",
    "date_maj": "2026-01-15",
    "services": "Aide aux démarches administratives|Maîtrise des outils numériques du quotidien",
    "frais_a_charge": "Gratuit",
    "horaires": "Mo-Fr 09:00-12:00,14:00-17:00",
}


def csv_bytes(*rows: dict, separator: str = ",", encoding: str = "utf-8") -> bytes:
    """A standard CSV of `rows` (missing fields empty), with another separator or encoding if asked."""
    records = [{name: row.get(name, "") for name in std.FIELD_NAMES} for row in rows]
    if separator == ",":
        return to_csv(records).decode("utf-8").encode(encoding)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\n")
    writer.writerow(std.FIELD_NAMES)
    writer.writerows([[record[name] for name in std.FIELD_NAMES] for record in records])
    return out.getvalue().encode(encoding)
